/**
 * The load exchange of several provider replicas, in Nomad Variables under
 * `faas-nomad/autoscaler/load/` in NOMAD_NAMESPACE. Each replica writes its
 * latest window to `load/<replica>` once per interval (not at all while it
 * has proxied nothing and its last window said so). The leader lists the
 * prefix (one request: Nomad lists no items) and reads only the snapshots
 * whose ModifyIndex moved since it last read them: 1 + (R − 1) requests per
 * interval for R replicas, whatever the number of functions.
 *
 * A snapshot whose ModifyIndex has not moved for two of the leader's reads
 * stops counting (judged on the leader's own reads, so the replicas' clocks
 * are never compared); one unmoved for `forgetAfter` reads is deleted (its
 * replica died without deleting it). A replica deletes its own on shutdown.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { UpstreamError } from "../../domain/errors.ts"
import type { FunctionLoad, LoadWindow } from "../../services/LoadExchange.ts"
import { LoadExchange } from "../../services/LoadExchange.ts"
import { NomadVariables, type NomadVariablesApi } from "./NomadVariables.ts"

export const loadPrefix = "faas-nomad/autoscaler/load/"

/** Nomad refuses a variable above 64 KiB; a window is kept well under it. */
export const maxSnapshotBytes = 48 * 1024

/** Reads without a change after which a snapshot no longer counts, and after which it is deleted. */
const staleAfter = 2
const forgetAfter = 12

const round = (n: number) => Math.round(n * 1000) / 1000

/**
 * The window as one item, `{"ns/name":[rps,inflight],...}`; past `maxSnapshotBytes` only the busiest functions
 * that fit are kept (the others count from the replicas that publish them, and this one's own leader reads them
 * directly), and `dropped` says how many were left out.
 */
export const encodeWindow = (window: LoadWindow): { readonly text: string; readonly dropped: number } => {
  const entries = [...window].map(([key, load]) =>
    `${JSON.stringify(key)}:[${round(load.rps)},${round(load.inflight)}]`
  )
  let text = `{${entries.join(",")}}`
  if (Buffer.byteLength(text) <= maxSnapshotBytes) return { text, dropped: 0 }
  const busiest = [...window].sort(([, a], [, b]) => b.rps + b.inflight - (a.rps + a.inflight))
  const kept: Array<string> = []
  let bytes = 2
  for (const [key, load] of busiest) {
    const entry = `${JSON.stringify(key)}:[${round(load.rps)},${round(load.inflight)}]`
    const size = Buffer.byteLength(entry) + 1
    if (bytes + size > maxSnapshotBytes) break
    kept.push(entry)
    bytes += size
  }
  text = `{${kept.join(",")}}`
  return { text, dropped: window.size - kept.length }
}

/** A snapshot's window; anything unreadable counts as no load. */
export const decodeWindow = (text: string | undefined): LoadWindow => {
  const window = new Map<string, FunctionLoad>()
  if (text === undefined) return window
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null) return window
    for (const [key, value] of Object.entries(parsed)) {
      if (!Array.isArray(value)) continue
      const [rps, inflight] = value as Array<unknown>
      if (typeof rps === "number" && typeof inflight === "number" && rps >= 0 && inflight >= 0) {
        window.set(key, { rps, inflight })
      }
    }
  } catch {
    // a snapshot from another version, or damaged: no load
  }
  return window
}

interface Seen {
  modifyIndex: number
  window: LoadWindow
  /** The leader's reads since its ModifyIndex last moved. */
  unchanged: number
}

const asUpstream = (error: { readonly _tag: string; readonly path: string }) =>
  new UpstreamError({
    dependency: "nomad",
    reason: "BadResponse",
    message: `write variable ${error.path}: ${error._tag === "VariableLocked" ? "locked" : "conflict"}`
  })

export interface ExchangeOptions {
  readonly namespace: string
  readonly replicaId: string
}

export const make = (vars: NomadVariablesApi, options: ExchangeOptions) => {
  const { namespace } = options
  const own = `${loadPrefix}${options.replicaId}`
  let lastEmpty: boolean | undefined
  let published = false
  const seen = new Map<string, Seen>()

  const publish = (window: LoadWindow) =>
    Effect.gen(function*() {
      if (window.size === 0 && lastEmpty === true) return
      const { dropped, text } = encodeWindow(window)
      if (dropped > 0) {
        yield* Effect.logWarning(
          `autoscaler: this replica's load snapshot keeps the ${window.size - dropped} busiest functions; ` +
            `${dropped} more would pass Nomad's variable size`
        )
      }
      yield* vars.writeVariable(namespace, own, { load: text }).pipe(
        Effect.catchTags({
          VariableConflict: (e) => Effect.fail(asUpstream(e)),
          VariableLocked: (e) => Effect.fail(asUpstream(e))
        })
      )
      lastEmpty = window.size === 0
      published = true
    })

  const peers = Effect.gen(function*() {
    const listed = yield* vars.listVariables(namespace, loadPrefix)
    const present = new Set<string>()
    const windows: Array<LoadWindow> = []
    for (const meta of listed) {
      if (meta.Path === own) continue
      present.add(meta.Path)
      const known = seen.get(meta.Path)
      if (known !== undefined && known.modifyIndex === meta.ModifyIndex) {
        known.unchanged++
        if (known.unchanged >= forgetAfter) {
          seen.delete(meta.Path)
          yield* vars.deleteVariable(namespace, meta.Path, { cas: meta.ModifyIndex }).pipe(
            Effect.tap(() =>
              Effect.logInfo(`autoscaler: deleted ${meta.Path}, a replica's snapshot unchanged for long`)
            ),
            Effect.ignore
          )
        } else if (known.unchanged < staleAfter) {
          windows.push(known.window)
        }
        continue
      }
      const read = yield* vars.readVariable(namespace, meta.Path)
      if (read._tag === "None") continue
      const window = decodeWindow(read.value.Items?.["load"])
      seen.set(meta.Path, { modifyIndex: read.value.ModifyIndex, window, unchanged: 0 })
      windows.push(window)
    }
    for (const path of seen.keys()) if (!present.has(path)) seen.delete(path)
    return windows
  })

  /** On shutdown: the leader need not wait for this replica's snapshot to go stale. */
  const withdraw = Effect.suspend(() =>
    published
      ? vars.deleteVariable(namespace, own).pipe(
        Effect.timeout("2 seconds"),
        Effect.catch((error) => Effect.logWarning(`autoscaler: cannot delete ${own}: ${String(error)}`))
      )
      : Effect.void
  )

  return { exchange: LoadExchange.of({ publish, peers }), withdraw }
}

export const layer = (replicaId: string): Layer.Layer<LoadExchange, never, NomadVariables | ProviderConfig> =>
  Layer.effect(
    LoadExchange,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const { exchange, withdraw } = make(yield* NomadVariables, { namespace: config.nomadNamespace, replicaId })
      yield* Effect.addFinalizer(() => withdraw)
      return exchange
    })
  )
