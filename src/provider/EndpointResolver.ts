/**
 * Where to send an invocation, answered from memory. The first request for a
 * function starts a watch on its discovery; afterwards invocations cost no
 * discovery request at all. When discovery fails, the last endpoints known
 * keep serving (stale beats down) while the watch retries with backoff. An
 * entry unused for a while stops watching; a deleted function is forgotten.
 */
import { Context, Deferred, Duration, Effect, Fiber, Layer, Schedule, Stream } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { UpstreamError } from "../domain/errors.ts"
import { type FunctionRef, refKey } from "../domain/FunctionName.ts"
import { proxySettingsFromTags } from "../jobs/proxySettings.ts"
import { Discovery, type Endpoint } from "../services/Discovery.ts"

/** One function's known endpoints and proxy state. Mutable: the proxy reads and updates it synchronously. */
export interface ResolverEntry {
  readonly ref: FunctionRef
  /** False once the function is forgotten or its watch stopped: holders of the entry must look it up again. */
  active: boolean
  endpoints: ReadonlyArray<Endpoint>
  /** Discovery has answered at least once. */
  known: boolean
  /** The watch's last failure, cleared by its next answer. */
  error: UpstreamError | undefined
  /** From the instances' tags: the function's own timeout and concurrency cap, when it sets them. */
  timeoutMillis: number | undefined
  maxInflight: number | undefined
  inflight: number
  /** Round-robin position. */
  turn: number
  /** Instances that refused a connection, skipped until the time given (ms since epoch). */
  readonly suspects: Map<string, number>
  /** When an invocation or a lookup last used the entry (ms since epoch); a watch unused for 10 minutes stops. */
  lastUsed: number
  /** Completed and replaced on every change: what waiters wait on. */
  changed: Deferred.Deferred<void>
}

/** How long an instance that refused a connection is left out. */
const suspectMillis = 10_000
const idleMillis = 10 * 60_000

/** Picks the next endpoint in turn, skipping suspects unless every one is suspect. */
export const pickEndpoint = (entry: ResolverEntry, now: number): Endpoint | undefined => {
  const { endpoints } = entry
  const n = endpoints.length
  if (n === 0) return undefined
  for (let i = 0; i < n; i++) {
    const candidate = endpoints[(entry.turn++ & 0x7fffffff) % n]!
    if (entry.suspects.size === 0) return candidate
    const until = entry.suspects.get(candidate.id)
    if (until === undefined || until <= now) return candidate
  }
  return endpoints[(entry.turn++ & 0x7fffffff) % n]
}

export const markSuspect = (entry: ResolverEntry, endpointId: string, now: number): void => {
  entry.suspects.set(endpointId, now + suspectMillis)
}

/** Backoff from 200 ms doubling up to 10 s between tries, for as long as discovery fails. */
const retryWatch = Schedule.min([Schedule.exponential("200 millis", 2), Schedule.spaced("10 seconds")]).pipe(
  Schedule.jittered
)

export class EndpointResolver extends Context.Service<EndpointResolver, {
  /** The entry if the function is watched; synchronous, and not counted as a use. */
  readonly peek: (key: string) => ResolverEntry | undefined
  /** The entry, starting the watch and waiting for discovery's first answer if needed. */
  readonly entry: (ref: FunctionRef) => Effect.Effect<ResolverEntry, UpstreamError>
  /** Waits until the function has a ready endpoint or `deadline` passes; answers what there is then. */
  readonly awaitReady: (ref: FunctionRef, deadline: Duration.Duration) => Effect.Effect<ResolverEntry, UpstreamError>
  /** Stops watching a function and drops what was known of it. */
  readonly forget: (ref: FunctionRef) => Effect.Effect<void>
}>()("faas-nomad/EndpointResolver") {
  static readonly layer = Layer.effect(
    EndpointResolver,
    Effect.gen(function*() {
      const discovery = yield* Discovery
      const config = yield* ProviderConfig
      const scope = yield* Effect.scope
      const entries = new Map<string, ResolverEntry>()
      const watches = new Map<string, Fiber.Fiber<unknown, unknown>>()

      const announce = (entry: ResolverEntry) => {
        const previous = entry.changed
        entry.changed = Deferred.makeUnsafe<void>()
        Deferred.doneUnsafe(previous, Effect.void)
      }

      const watch = (entry: ResolverEntry) =>
        discovery.watch(entry.ref).pipe(
          Stream.runForEach((endpoints) =>
            Effect.sync(() => {
              entry.endpoints = endpoints
              entry.known = true
              entry.error = undefined
              const settings = proxySettingsFromTags(endpoints[0]?.tags ?? [])
              entry.timeoutMillis = settings.timeoutMillis
              entry.maxInflight = settings.maxInflight
              for (const id of entry.suspects.keys()) if (!endpoints.some((e) => e.id === id)) entry.suspects.delete(id)
              announce(entry)
            })
          ),
          Effect.tapError((error) =>
            Effect.sync(() => {
              entry.error = error
              announce(entry)
            })
          ),
          Effect.retry(retryWatch),
          Effect.forkIn(scope)
        )

      const start = Effect.fnUntraced(function*(ref: FunctionRef) {
        const key = refKey(ref)
        const existing = entries.get(key)
        if (existing !== undefined) return existing
        const entry: ResolverEntry = {
          ref,
          active: true,
          endpoints: [],
          known: false,
          error: undefined,
          timeoutMillis: undefined,
          maxInflight: undefined,
          inflight: 0,
          turn: 0,
          suspects: new Map(),
          lastUsed: Date.now(),
          changed: Deferred.makeUnsafe<void>()
        }
        entries.set(key, entry)
        watches.set(key, yield* watch(entry))
        return entry
      })

      const firstAnswerWithin = config.apiTimeout

      const entry = Effect.fnUntraced(function*(ref: FunctionRef) {
        const found = yield* start(ref)
        found.lastUsed = Date.now()
        while (!found.known) {
          if (found.error !== undefined) return yield* Effect.fail(found.error)
          const answered = yield* Deferred.await(found.changed).pipe(Effect.timeoutOption(firstAnswerWithin))
          if (answered._tag === "None") break
        }
        if (!found.known) {
          // Discovery has not answered: say so, naming it, rather than take silence for "no instance".
          return yield* Effect.fail(
            found.error ?? new UpstreamError({
              dependency: config.serviceDiscovery,
              reason: "Timeout",
              message: `no answer about ${found.ref.name}.${found.ref.namespace} within ${
                Duration.format(firstAnswerWithin)
              }`
            })
          )
        }
        return found
      })

      const awaitReady = Effect.fnUntraced(function*(ref: FunctionRef, deadline: Duration.Duration) {
        const found = yield* entry(ref)
        const until = Date.now() + Duration.toMillis(deadline)
        while (found.endpoints.length === 0) {
          const left = until - Date.now()
          if (left <= 0) break
          const changed = yield* Deferred.await(found.changed).pipe(Effect.timeoutOption(Duration.millis(left)))
          if (changed._tag === "None") break
        }
        return found
      })

      const forget = (ref: FunctionRef) =>
        Effect.suspend(() => {
          const key = refKey(ref)
          const fiber = watches.get(key)
          const found = entries.get(key)
          if (found !== undefined) found.active = false
          entries.delete(key)
          watches.delete(key)
          return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
        })

      // Unused watches stop, so a provider that saw many functions once does not hold a query open for each.
      yield* Effect.gen(function*() {
        const now = Date.now()
        for (const found of entries.values()) {
          if (now - found.lastUsed > idleMillis && found.inflight === 0) yield* forget(found.ref)
        }
      }).pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.forkIn(scope))

      return EndpointResolver.of({
        peek: (key) => entries.get(key),
        entry,
        awaitReady,
        forget
      })
    })
  )
}
