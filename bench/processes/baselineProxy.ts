/**
 * The baseline: a reverse proxy written the plain way with node:http and
 * undici (keep-alive pool, streamed bodies, hop-by-hop headers dropped), to a
 * fixed upstream. faas-nomad's proxy is measured against this.
 */
import { Agent } from "@effect/platform-node/Undici"
import { createServer, type IncomingHttpHeaders } from "node:http"

const upstream = `http://127.0.0.1:${process.argv[2]}`
/**
 * Optional ballast: long-lived data of about this many MB, so that the heap is the provider's size. V8 sizes the
 * young generation after the heap, and scavenge pauses grow with it; this control shows how much of a latency gap
 * is the heap's size rather than the proxy's code.
 */
const ballast: Array<{ readonly n: number; readonly s: string }> = []
for (let i = 0; i < Number(process.argv[3] ?? 0) * 10_000; i++) ballast.push({ n: i, s: `ballast-${i}` })
;(globalThis as { ballast?: unknown }).ballast = ballast
const prefix = "/function/bench"
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
  "proxy-authorization",
  "proxy-connection"
])
const agent = new Agent({ keepAliveTimeout: 30_000, connections: null })

const server = createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
  const headers: IncomingHttpHeaders = {}
  for (const name in request.headers) if (!hopByHop.has(name)) headers[name] = request.headers[name]
  const hasBody = request.headers["transfer-encoding"] !== undefined ||
    (request.headers["content-length"] ?? "0") !== "0"
  agent.stream(
    {
      origin: upstream,
      path: request.url!.slice(prefix.length) || "/",
      method: request.method as "GET",
      headers: headers as Record<string, string>,
      body: hasBody ? request : null
    },
    ({ headers: upstreamHeaders, statusCode }) => {
      for (const name of ["connection", "keep-alive", "transfer-encoding"]) delete upstreamHeaders[name]
      response.writeHead(statusCode, upstreamHeaders as Record<string, string>)
      return response
    },
    (error) => {
      if (error === null) return
      if (!response.headersSent) response.writeHead(502).end()
      else response.destroy()
    }
  )
})
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`)
})
