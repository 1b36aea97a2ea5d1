/**
 * The OpenFaaS classic watchdog, as the dev cluster runs it for one
 * allocation: an HTTP server that forks the function's `fprocess` for each
 * request, the body on stdin and the request described in `Http_*`
 * environment variables, and answers with what it writes on stdout. It logs
 * as the real watchdog does (`Forking fprocess.`, `Wrote N Bytes - Duration:
 * ...`).
 *
 * Each fork leads a process group of its own, so whatever the function
 * starts ends with it: when the request ends early (the client went away, or
 * the provider cut it at `read_timeout`), when `exec_timeout` passes, and when
 * the allocation stops. Plain Node, no Effect: it runs in the watchdog host,
 * which must stay small (`watchdogHost.ts`).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

export interface WatchdogOptions {
  /** The function's environment: its `envVars`, `fprocess`, `exec_timeout`, `content_type` and so on. */
  readonly env: Readonly<Record<string, string>>
  /** The allocation's directory: the function's working directory. */
  readonly cwd: string
  /** The provider's `max_header_size`: what passes the provider passes here too. */
  readonly maxHeaderSize: number
  readonly log: (stream: "stdout" | "stderr", text: string) => void
  /** A process group the function started, or one that is now empty: whoever must clean up if this process dies. */
  readonly onProcessGroup: (pid: number, live: boolean) => void
}

export interface Watchdog {
  /** Listens on an ephemeral loopback port; resolves with it. */
  readonly listen: () => Promise<number>
  /** Stops serving and ends every process the function started: SIGTERM, then SIGKILL after `graceMillis`. */
  readonly stop: (graceMillis: number) => Promise<void>
  /** Ends every process the function started at once (SIGKILL): the host is going away. */
  readonly kill: () => void
}

/** How long a function whose request ended early has to exit after SIGTERM, before SIGKILL. */
const abandonedGraceMillis = 1_000

const pad = (n: number) => String(n).padStart(2, "0")
/** Go's log package prefix: `2006/01/02 15:04:05`. */
const logLine = (message: string) => {
  const d = new Date()
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())} ${message}\n`
}

/** `x-call-id` as Go canonicalises it: `X-Call-Id`, then `Http_X_Call_Id`. */
const headerVariable = (name: string) =>
  `Http_${name.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("_")}`

/**
 * The request as the function sees it. The request's own method, path and query come last, so that no header
 * (`Path: /evil`) can stand in for them; the path is the raw one (`//evil.example/x` stays a path, not a URL).
 */
const requestEnvironment = (env: Readonly<Record<string, string>>, request: IncomingMessage) => {
  const target = request.url ?? "/"
  const query = target.indexOf("?")
  const vars: Record<string, string> = { ...env }
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) vars[headerVariable(name)] = Array.isArray(value) ? value.join(",") : value
  }
  vars["Http_Method"] = request.method ?? "GET"
  vars["Http_Path"] = query === -1 ? target : target.slice(0, query)
  vars["Http_Query"] = query === -1 ? "" : target.slice(query + 1)
  return vars
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Signals the process group `child` leads; a group already gone is no error. */
const signalGroup = (pid: number, signal: NodeJS.Signals | 0): boolean => {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

export const makeWatchdog = (options: WatchdogOptions): Watchdog => {
  const { env, log } = options
  const fprocess = env["fprocess"] ?? ""
  const [command, ...args] = fprocess.trim().split(/\s+/)
  const execTimeoutSeconds = Number(env["exec_timeout"] ?? 0)
  /** Process groups the function started, kept until they are empty: a fork's children may outlive it. */
  const groups = new Set<number>()
  /** Forks still running. */
  const running = new Set<ChildProcess>()

  const forget = (pid: number) => {
    if (!signalGroup(pid, 0) && groups.delete(pid)) options.onProcessGroup(pid, false)
  }

  const terminate = (child: ChildProcess, graceMillis: number) => {
    const pid = child.pid
    if (pid === undefined) return
    signalGroup(pid, "SIGTERM")
    const kill = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMillis)
    kill.unref()
    child.once("close", () => {
      clearTimeout(kill)
      // What it started may ignore SIGTERM: the group goes with it.
      signalGroup(pid, "SIGKILL")
      forget(pid)
    })
  }

  const server: Server = createServer({ maxHeaderSize: options.maxHeaderSize }, (request, response) => {
    if (request.url === "/_/health") return void response.writeHead(200, { "content-type": "text/plain" }).end("OK")
    if (command === undefined || command === "") {
      request.resume()
      return void response.writeHead(500, { "content-type": "text/plain" }).end(
        "no fprocess is set for this function\n"
      )
    }
    const started = performance.now()
    log("stderr", logLine("Forking fprocess."))
    let child: ChildProcess
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: requestEnvironment(env, request),
        stdio: ["pipe", "pipe", "pipe"],
        detached: true
      })
    } catch (error) {
      request.resume()
      const message = error instanceof Error ? error.message : String(error)
      log("stderr", logLine(`Error: ${message}`))
      return void response.writeHead(500, { "content-type": "text/plain" }).end(`${message}\n`)
    }
    if (child.pid !== undefined) {
      groups.add(child.pid)
      options.onProcessGroup(child.pid, true)
    }
    running.add(child)
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout!.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr!.on("data", (chunk: Buffer) => {
      err.push(chunk)
      log("stderr", chunk.toString())
    })
    child.stdin!.on("error", () => {})
    request.pipe(child.stdin!)
    const timer = execTimeoutSeconds > 0
      ? setTimeout(() => child.pid !== undefined && signalGroup(child.pid, "SIGKILL"), execTimeoutSeconds * 1000)
      : undefined
    // The request ended before its answer did: the client went away or the provider cut it. The function goes too.
    response.once("close", () => {
      if (response.writableFinished || exited(child)) return
      child.stdin!.end()
      terminate(child, abandonedGraceMillis)
    })
    const contentType = env["content_type"] ?? request.headers["content-type"] ?? "text/plain"
    child.once("error", (error) => {
      if (timer) clearTimeout(timer)
      running.delete(child)
      log("stderr", logLine(`Error: ${error.message}`))
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`)
    })
    child.once("close", (code, signal) => {
      if (timer) clearTimeout(timer)
      running.delete(child)
      if (child.pid !== undefined) forget(child.pid)
      if (response.headersSent || response.destroyed) return
      const body = Buffer.concat(out)
      if (code !== 0) {
        const reason = signal === null ? `exit status ${code}` : `signal ${signal}`
        log("stderr", logLine(`Error: ${reason}`))
        response.writeHead(500, { "content-type": "text/plain" }).end(
          Buffer.concat([Buffer.from(`${reason}\n`), ...err])
        )
        return
      }
      response.writeHead(200, { "content-type": contentType, "content-length": body.length }).end(body)
      log(
        "stderr",
        logLine(`Wrote ${body.length} Bytes - Duration: ${((performance.now() - started) / 1000).toFixed(6)}s`)
      )
    })
  })

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject)
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as AddressInfo).port
          log("stdout", `Listening on port: ${port}\n`)
          log("stderr", logLine(`Forking - ${fprocess} []`))
          resolve(port)
        })
      }),
    stop: (graceMillis) =>
      new Promise((resolve) => {
        server.close()
        for (const pid of groups) signalGroup(pid, "SIGTERM")
        let done = false
        const finish = () => {
          if (done) return
          done = true
          clearTimeout(kill)
          for (const pid of groups) signalGroup(pid, "SIGKILL")
          groups.clear()
          server.closeAllConnections()
          resolve()
        }
        const kill = setTimeout(finish, graceMillis)
        const check = () => {
          if (running.size === 0) finish()
        }
        for (const child of running) child.once("close", check)
        check()
      }),
    kill: () => {
      server.close()
      for (const pid of groups) signalGroup(pid, "SIGKILL")
      groups.clear()
    }
  }
}
