/**
 * How the simulated agent writes answers: Go `encoding/json` bodies, plain
 * text errors, and the headers Consul's HTTP wrapper adds to every endpoint
 * (`X-Consul-Default-ACL-Policy`; `Vary` and gzip from its gzip handler).
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { gzipSync } from "node:zlib"
import { goJson } from "./ConsulShapes.ts"

/** An answer with a status and a plain-text reason, as Consul's `HTTPError`. */
export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export type Headers = Readonly<Record<string, string>>

/** The NYTimes gzip handler Consul wraps endpoints in compresses bodies from this size. */
const gzipMinSize = 1400

export class Responder {
  private readonly request: IncomingMessage
  private readonly response: ServerResponse
  private readonly base: Headers

  constructor(request: IncomingMessage, response: ServerResponse, base: Headers) {
    this.request = request
    this.response = response
    this.base = base
  }

  json(value: unknown, headers: Headers = {}): void {
    const pretty = new URL(this.request.url ?? "/", "http://consul").searchParams.has("pretty")
    this.send(200, goJson(value, pretty), { ...headers, "Content-Type": "application/json" })
  }

  text(status: number, text: string, headers: Headers = {}): void {
    this.send(status, text, { ...headers, "Content-Type": "text/plain; charset=utf-8" })
  }

  empty(status: number, headers: Headers = {}): void {
    this.send(status, "", headers)
  }

  private send(status: number, body: string, headers: Headers): void {
    if (this.response.headersSent || this.response.destroyed) return
    const bytes = Buffer.from(body, "utf8")
    const gzip = bytes.length >= gzipMinSize && /\bgzip\b/.test(String(this.request.headers["accept-encoding"] ?? ""))
    const payload = gzip ? gzipSync(bytes) : bytes
    this.response.writeHead(status, {
      ...this.base,
      Vary: "Accept-Encoding",
      ...headers,
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      "Content-Length": String(payload.length)
    })
    this.response.end(payload)
  }
}

/**
 * Consul's `setMeta`: every catalog and health read carries these. A
 * streaming answer's meta holds only the index, so it reports no known
 * leader and never says the ACLs filtered it.
 */
export const queryMetaHeaders = (
  index: number,
  consistency: string,
  filteredByAcls: boolean,
  streaming: boolean
): Headers => ({
  "X-Consul-LastContact": "0",
  // Consul never sends 0: a client would then never block.
  "X-Consul-Index": String(Math.max(1, index)),
  "X-Consul-KnownLeader": streaming ? "false" : "true",
  "X-Consul-Effective-Consistency": consistency,
  "X-Consul-Query-Backend": streaming ? "streaming" : "blocking-query",
  ...(filteredByAcls && !streaming ? { "X-Consul-Results-Filtered-By-ACLs": "true" } : {})
})
