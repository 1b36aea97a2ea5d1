/**
 * The real `faas-nomad` command in a child process, on an ephemeral loopback
 * port: what end-to-end tests drive, exactly as a user runs it.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const checkoutBin = fileURLToPath(new URL("../../bin/faas-nomad.js", import.meta.url))

export interface RunningProvider {
  readonly url: string
  /** Everything the process wrote to stdout and stderr so far. */
  readonly output: () => string
  /** Sends SIGTERM; resolves with the exit code once the process has exited. */
  readonly terminate: () => Promise<number | null>
  /** Sends `signal` (SIGKILL: a crash, nothing runs on the way out); resolves with the exit code once it has exited. */
  readonly signal: (signal: NodeJS.Signals) => Promise<number | null>
  readonly pid: number
}

export interface Reply {
  readonly status: number
  readonly text: string
  readonly headers: Headers
}

/** One request to a provider `startCli` started, at `base`: a string body is sent as it is, anything else as JSON. */
export const fetchAt = (base: string, method: string, path: string, body?: unknown) =>
  Effect.promise(async (): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    return { status: response.status, text: await response.text(), headers: response.headers }
  })

/**
 * `command args` in a child process that logs `Listening on http://127.0.0.1:<port>` once it serves (the
 * provider, or an app embedding it): resolves once it does, and kills it when the scope closes.
 */
export const startListening = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string>; readonly cwd?: string }
) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly provider: RunningProvider; readonly kill: () => void }, Error>((resume) => {
      const child = spawn(command, args, {
        env: { PATH: process.env["PATH"] ?? "", ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd })
      })
      let output = ""
      let started = false
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const listening = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
        if (!started && listening !== null) {
          started = true
          const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
          const signal = (name: NodeJS.Signals) => {
            child.kill(name)
            return exited
          }
          resume(Effect.succeed({
            provider: {
              url: `http://127.0.0.1:${listening[1]}`,
              output: () => output,
              terminate: () => signal("SIGTERM"),
              signal,
              pid: child.pid!
            },
            kill: () => child.kill("SIGKILL")
          }))
        }
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", onData)
      child.once("exit", (code) => {
        if (!started) resume(Effect.fail(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output}`)))
      })
    }),
    ({ kill }) => Effect.sync(kill)
  ).pipe(Effect.map(({ provider }) => provider))

/** `faas-nomad args` (the checkout's bin unless `bin` names another) on an ephemeral loopback port. */
export const startCli = (args: ReadonlyArray<string>, env: Record<string, string>, bin = checkoutBin) =>
  startListening(process.execPath, [bin, ...args, "--port", "0", "--bind-address", "127.0.0.1"], { env })

export interface Exited {
  readonly code: number | null
  /** Everything the process wrote to stdout and stderr. */
  readonly output: string
}

/**
 * `faas-nomad args` exactly as given (no port or address added), run until it exits: for starts that must fail.
 * It is killed if it is still running when the scope closes.
 */
export const runCliToExit = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      spawn(process.execPath, [checkoutBin, ...args], {
        env: { PATH: process.env["PATH"] ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
    ),
    (child) =>
      Effect.callback<Exited>((resume) => {
        let output = ""
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
        child.once("close", (code) => resume(Effect.succeed({ code, output })))
      }),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )
