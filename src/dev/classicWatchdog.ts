/**
 * The OpenFaaS classic watchdog, as the dev cluster runs it for one
 * allocation: an HTTP server that forks the function's `fprocess` for each
 * request, the body on stdin and the request described in `Http_*`
 * environment variables, and answers with what it writes on stdout. It logs
 * as the real watchdog does (`Forking fprocess.`, `Wrote N Bytes - Duration:
 * ...`).
 *
 * Run as `node classicWatchdog.ts <port>`; it prints `Listening on port: N`
 * once it listens. It is its own process, so a function's crash or leak
 * stays there.
 */
import { spawn } from "node:child_process"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"

const fprocess = process.env["fprocess"] ?? ""
const [command, ...args] = fprocess.trim().split(/\s+/)
const execTimeoutSeconds = Number(process.env["exec_timeout"] ?? 0)

const pad = (n: number) => String(n).padStart(2, "0")
/** Go's log package prefix: `2006/01/02 15:04:05`. */
const log = (message: string) => {
  const d = new Date()
  process.stderr.write(
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
      pad(d.getUTCMinutes())
    }:${pad(d.getUTCSeconds())} ${message}\n`
  )
}

/** `x-call-id` as Go canonicalises it: `X-Call-Id`, then `Http_X_Call_Id`. */
const headerVariable = (name: string) =>
  `Http_${name.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("_")}`

const requestEnvironment = (request: IncomingMessage): Record<string, string> => {
  const url = new URL(request.url ?? "/", "http://function")
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    Http_Method: request.method ?? "GET",
    Http_Path: url.pathname,
    Http_Query: url.search.slice(1)
  }
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) env[headerVariable(name)] = Array.isArray(value) ? value.join(",") : value
  }
  return env
}

const server = createServer((request, response) => {
  if (request.url === "/_/health") return void response.writeHead(200, { "content-type": "text/plain" }).end("OK")
  if (command === undefined || command === "") {
    request.resume()
    return void response.writeHead(500, { "content-type": "text/plain" }).end("no fprocess is set for this function\n")
  }
  const started = performance.now()
  log("Forking fprocess.")
  const child = spawn(command, args, { env: requestEnvironment(request), stdio: ["pipe", "pipe", "pipe"] })
  const out: Array<Buffer> = []
  const err: Array<Buffer> = []
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
  child.stderr.on("data", (chunk: Buffer) => {
    err.push(chunk)
    process.stderr.write(chunk)
  })
  child.stdin.on("error", () => {})
  request.pipe(child.stdin)
  const timer = execTimeoutSeconds > 0 ? setTimeout(() => child.kill("SIGKILL"), execTimeoutSeconds * 1000) : undefined
  const contentType = process.env["content_type"] ?? request.headers["content-type"] ?? "text/plain"
  child.once("error", (error) => {
    if (timer) clearTimeout(timer)
    log(`Error: ${error.message}`)
    if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`)
  })
  child.once("close", (code, signal) => {
    if (timer) clearTimeout(timer)
    if (response.headersSent) return
    const body = Buffer.concat(out)
    if (code !== 0) {
      const reason = signal === null ? `exit status ${code}` : `signal ${signal}`
      log(`Error: ${reason}`)
      response.writeHead(500, { "content-type": "text/plain" }).end(Buffer.concat([Buffer.from(`${reason}\n`), ...err]))
      return
    }
    response.writeHead(200, { "content-type": contentType, "content-length": body.length }).end(body)
    log(`Wrote ${body.length} Bytes - Duration: ${((performance.now() - started) / 1000).toFixed(6)}s`)
  })
})

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`Listening on port: ${(server.address() as AddressInfo).port}\n`)
  log(`Forking - ${fprocess} []`)
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
