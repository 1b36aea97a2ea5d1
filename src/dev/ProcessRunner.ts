/**
 * The dev cluster's Nomad client: each allocation is a real local process,
 * the classic watchdog (`classicWatchdog.ts`), forking the function's
 * `fprocess` per request. No container runs, so the image is not pulled:
 * a function must have an `envProcess` to run here, and one without says so
 * in its logs and fails its allocation.
 *
 * An allocation gets a directory of its own, which is the function's working
 * directory; its secrets are written to `secrets/<name>` there (also named
 * by `OPENFAAS_SECRETS_DIR`), and rewritten when a secret changes.
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

/** The watchdog beside this module: `.ts` when run from source, `.js` when built. */
const watchdogScript = fileURLToPath(
  new URL(`./classicWatchdog.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
)

/** What the function's process sees of the provider's environment: enough to find programs, nothing more. */
const baseEnvironment = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const name of ["PATH", "HOME", "LANG", "TZ", "SYSTEMROOT"]) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

interface Started {
  readonly child: ChildProcess
  readonly port: number
  readonly directory: string
  readonly unsubscribe: () => void
}

const start = (spec: AllocationSpec, secrets: MemorySecrets["Service"]) =>
  Effect.callback<Started, AllocationFailed>((resume) => {
    const env = spec.task.Env ?? {}
    if (env["fprocess"] === undefined || env["fprocess"].trim() === "") {
      const message = `the dev cluster runs a function's envProcess with the classic watchdog; ` +
        `${String(spec.task.Config?.["image"] ?? "this image")} has none, so it cannot run here (deploy it on Nomad)`
      spec.log("stderr", `${message}\n`)
      return resume(Effect.fail(new AllocationFailed({ allocId: spec.allocId, message })))
    }
    const directory = mkdtempSync(join(tmpdir(), `faas-nomad-dev-${spec.allocId.slice(0, 8)}-`))
    const secretsDir = join(directory, "secrets")
    mkdirSync(secretsDir)
    const names: ReadonlyArray<string> = deploymentOf(spec.job, spec.task.Name)?.secrets ?? []
    const render = (name: string) => {
      const value = secrets.read(spec.namespace, name)
      const path = join(secretsDir, name)
      if (value === undefined) rmSync(path, { force: true })
      else writeFileSync(path, value._tag === "Text" ? value.text : value.bytes, { mode: 0o400 })
    }
    for (const name of names) render(name)
    const unsubscribe = secrets.subscribe((namespace, name) => {
      if (namespace === spec.namespace && names.includes(name)) render(name)
    })

    const child = spawn(process.execPath, [watchdogScript, "0"], {
      cwd: directory,
      env: { ...baseEnvironment(), ...env, OPENFAAS_SECRETS_DIR: secretsDir },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let port: number | undefined
    let early = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString()
      if (port === undefined) {
        early += text
        const listening = /Listening on port: (\d+)/.exec(early)
        if (listening !== null) {
          port = Number(listening[1])
          resume(Effect.succeed({ child, port, directory, unsubscribe }))
        }
      }
      spec.log("stdout", text)
    })
    child.stderr!.on("data", (chunk: Buffer) => spec.log("stderr", chunk.toString()))
    child.once("exit", (code, signal) => {
      const message = `the watchdog exited (${signal ?? `code ${code}`})`
      if (port === undefined) {
        unsubscribe()
        rmSync(directory, { recursive: true, force: true })
        resume(Effect.fail(new AllocationFailed({ allocId: spec.allocId, message })))
      } else if (signal !== "SIGTERM") {
        spec.died(message)
      }
    })
  })

const stop = (started: Started) =>
  Effect.callback<void>((resume) => {
    started.unsubscribe()
    const done = () => {
      rmSync(started.directory, { recursive: true, force: true })
      resume(Effect.void)
    }
    if (started.child.exitCode !== null || started.child.signalCode !== null) return done()
    const kill = setTimeout(() => started.child.kill("SIGKILL"), 5_000)
    started.child.once("exit", () => {
      clearTimeout(kill)
      done()
    })
    started.child.kill("SIGTERM")
  })

/** Allocations as watchdog processes, with the secrets `secrets` holds. */
export const make = (secrets: MemorySecrets["Service"]) =>
  AllocationRunner.of({
    run: (spec) =>
      Effect.acquireRelease(start(spec, secrets), stop).pipe(
        Effect.map((started) => ({ address: "127.0.0.1", port: started.port }))
      )
  })

export const layer: Layer.Layer<AllocationRunner, never, MemorySecrets> = Layer.effect(
  AllocationRunner,
  MemorySecrets.useSync(make)
)
