/**
 * The dev cluster's Nomad client: each allocation is a classic watchdog
 * (`classicWatchdog.ts`) forking the function's `fprocess` per request, served
 * by one watchdog host process for all of them (`watchdogHost.ts`), started on
 * the first allocation and again after it died. No container runs, so the
 * image is not pulled: a function must have an `envProcess` to run here, and
 * one without says so in its logs and fails its allocation.
 *
 * An allocation gets a directory of its own, which is the function's working
 * directory; its secrets are written to `secrets/<name>` there (also named
 * by `OPENFAAS_SECRETS_DIR`), and rewritten when a secret changes. Stopping
 * the allocation ends every process its function started and removes the
 * directory, whether the start succeeded or not.
 */
import { Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { deploymentOf } from "../jobs/toFunctionStatus.ts"
import { AllocationFailed, AllocationRunner, type AllocationSpec } from "../layers/memory/AllocationRunner.ts"
import { MemorySecrets } from "../layers/memory/MemorySecrets.ts"
import type { FromHost, ToHost } from "./hostProtocol.ts"

/** The host beside this module: `.ts` when run from source, `.js` when built. */
const hostScript = fileURLToPath(
  new URL(`./watchdogHost.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
)

/** How long a stopped allocation's processes have after SIGTERM, before SIGKILL: Nomad's default `kill_timeout`. */
const killTimeoutMillis = 5_000

export interface ProcessRunnerOptions {
  /** The provider's `max_header_size`, which the watchdogs accept too. */
  readonly maxHeaderSize: number
}

/** What the function's process sees of the provider's environment: enough to find programs, nothing more. */
const baseEnvironment = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const name of ["PATH", "HOME", "LANG", "TZ", "SYSTEMROOT"]) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

interface Instance {
  readonly spec: AllocationSpec
  readonly started: (outcome: { readonly port: number } | { readonly message: string }) => void
  stopped?: () => void
  live: boolean
  /** The process groups its function started, which the provider kills if the host dies first. */
  readonly groups: Set<number>
}

/** The watchdog host process, started when an allocation needs it; its death is every live instance's. */
class Host {
  #child: ChildProcess | undefined
  readonly #instances = new Map<string, Instance>()

  #process(): ChildProcess {
    if (this.#child !== undefined) return this.#child
    const child = spawn(process.execPath, ["--max-semi-space-size=1", hostScript], {
      env: baseEnvironment(),
      stdio: ["ignore", "ignore", "pipe", "ipc"]
    })
    this.#child = child
    child.stderr!.on("data", (chunk: Buffer) => {
      for (const instance of this.#instances.values()) instance.spec.log("stderr", chunk.toString())
    })
    child.on("message", (message: FromHost) => this.#received(message))
    const gone = (message: string) => {
      if (this.#child !== child) return
      this.#child = undefined
      const instances = [...this.#instances.values()]
      this.#instances.clear()
      for (const instance of instances) {
        // The host cannot end them any more: its functions' processes must not outlive it.
        for (const pid of instance.groups) {
          try {
            process.kill(-pid, "SIGKILL")
          } catch {
            // already gone
          }
        }
        if (instance.stopped !== undefined) instance.stopped()
        else if (instance.live) instance.spec.died(message)
        else instance.started({ message })
      }
    }
    child.once("error", (error) => gone(`the watchdog host failed: ${error.message}`))
    child.once("exit", (code, signal) => gone(`the watchdog host exited (${signal ?? `code ${code}`})`))
    // The provider does not wait for its host to exit; the host exits when the provider does.
    child.unref()
    ;(child.channel as { unref?: () => void } | undefined)?.unref?.()
    return child
  }

  #send(message: ToHost) {
    const child = this.#process()
    if (child.connected) child.send(message)
  }

  #received(message: FromHost) {
    const instance = this.#instances.get(message.id)
    if (instance === undefined) return
    switch (message.type) {
      case "log":
        return instance.spec.log(message.stream, message.text)
      case "group":
        if (message.live) instance.groups.add(message.pid)
        else instance.groups.delete(message.pid)
        return
      case "listening":
        instance.live = true
        return instance.started({ port: message.port })
      case "failed":
        this.#instances.delete(message.id)
        return instance.started({ message: message.message })
      case "stopped":
        this.#instances.delete(message.id)
        return instance.stopped?.()
    }
  }

  start(spec: AllocationSpec, env: Record<string, string>, cwd: string, maxHeaderSize: number) {
    return Effect.callback<number, AllocationFailed>((resume) => {
      this.#instances.set(spec.allocId, {
        spec,
        live: false,
        groups: new Set(),
        started: (outcome) =>
          resume(
            "port" in outcome
              ? Effect.succeed(outcome.port)
              : Effect.fail(
                new AllocationFailed({ allocId: spec.allocId, message: outcome.message, recoverable: true })
              )
          )
      })
      this.#send({ type: "start", id: spec.allocId, env, cwd, maxHeaderSize })
    })
  }

  stop(allocId: string) {
    return Effect.callback<void>((resume) => {
      const instance = this.#instances.get(allocId)
      if (instance === undefined || this.#child === undefined) return resume(Effect.void)
      instance.stopped = () => resume(Effect.void)
      this.#send({ type: "stop", id: allocId, graceMillis: killTimeoutMillis })
    })
  }

  /** The provider is going: the host ends every function process and exits as its channel closes. */
  close() {
    this.#child?.disconnect()
  }
}

/** The allocation's directory, with its secrets rendered and kept current; removed when the scope closes. */
const allocationDirectory = (spec: AllocationSpec, secrets: MemorySecrets["Service"]) =>
  Effect.gen(function*() {
    const directory = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), `faas-nomad-dev-${spec.allocId.slice(0, 8)}-`))),
      (made) => Effect.sync(() => rmSync(made, { recursive: true, force: true }))
    )
    const secretsDir = join(directory, "secrets")
    const names: ReadonlyArray<string> = deploymentOf(spec.job, spec.task.Name)?.secrets ?? []
    const render = (name: string) => {
      const value = secrets.read(spec.namespace, name)
      const path = join(secretsDir, name)
      if (value === undefined) rmSync(path, { force: true })
      else writeFileSync(path, value._tag === "Text" ? value.text : value.bytes, { mode: 0o400 })
    }
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        secrets.subscribe((namespace, name) => {
          if (namespace === spec.namespace && names.includes(name)) render(name)
        })
      ),
      (unsubscribe) => Effect.sync(unsubscribe)
    )
    yield* Effect.try({
      try: () => {
        mkdirSync(secretsDir)
        for (const name of names) render(name)
      },
      catch: (error) =>
        new AllocationFailed({ allocId: spec.allocId, message: `cannot write its secrets: ${String(error)}` })
    })
    return { directory, secretsDir }
  })

const run = (host: Host, secrets: MemorySecrets["Service"], options: ProcessRunnerOptions) => (spec: AllocationSpec) =>
  Effect.gen(function*() {
    const env = spec.task.Env ?? {}
    if (env["fprocess"] === undefined || env["fprocess"].trim() === "") {
      const message = `the dev cluster runs a function's envProcess with the classic watchdog; ` +
        `${String(spec.task.Config?.["image"] ?? "this image")} has none, so it cannot run here (deploy it on Nomad)`
      spec.log("stderr", `${message}\n`)
      return yield* new AllocationFailed({ allocId: spec.allocId, message })
    }
    const { directory, secretsDir } = yield* allocationDirectory(spec, secrets)
    const port = yield* Effect.acquireRelease(
      host.start(
        spec,
        { ...baseEnvironment(), ...env, OPENFAAS_SECRETS_DIR: secretsDir },
        directory,
        options.maxHeaderSize
      ),
      () => host.stop(spec.allocId)
    )
    return { address: "127.0.0.1", port }
  })

/** Allocations as watchdogs in one host process, with the secrets `secrets` holds. */
export const make = (secrets: MemorySecrets["Service"], options: ProcessRunnerOptions) =>
  Effect.map(
    Effect.acquireRelease(Effect.sync(() => new Host()), (host) => Effect.sync(() => host.close())),
    (host) => AllocationRunner.of({ run: run(host, secrets, options) })
  )

export const layerWith = (options: ProcessRunnerOptions): Layer.Layer<AllocationRunner, never, MemorySecrets> =>
  Layer.effect(
    AllocationRunner,
    Effect.gen(function*() {
      return yield* make(yield* MemorySecrets, options)
    })
  )

/** With the default `max_header_size` (64 KiB). */
export const layer: Layer.Layer<AllocationRunner, never, MemorySecrets> = layerWith({ maxHeaderSize: 64 * 1024 })
