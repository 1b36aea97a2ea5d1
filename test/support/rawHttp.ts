/**
 * node:http against the provider under test, for what an Effect client hides:
 * bytes and headers sent exactly as given (no client-side normalisation),
 * reading a response chunk by chunk, and sending a body in pieces.
 */
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request } from "node:http"

export const providerPort = Effect.map(Effect.service(HttpServer.HttpServer), (server) => {
  if (server.address._tag === "UnixPathAddress") throw new Error("expected a TCP address")
  return server.address.port
})

export interface RawAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
}

/** One request on its own connection; rejects only if the connection itself fails. */
export const send = (
  port: number,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>> = {},
  body?: string | Uint8Array
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    // A length on every body: Node's client sends a DELETE body unframed otherwise.
    const framed = body === undefined ? headers : { "content-length": String(Buffer.byteLength(body)), ...headers }
    const req = request({ host: "127.0.0.1", port, method, path, headers: framed, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.once(
        "end",
        () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") })
      )
      res.once("error", reject)
    })
    req.once("error", reject)
    try {
      req.end(body)
    } catch (cause) {
      // Node's client refused what was generated: leave no half-open connection for the server to wait on.
      req.destroy()
      reject(cause)
    }
  })

/** A whole exchange as an Effect: the status, headers and body text of a request sent at once. */
export const exchange = (
  port: number,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>> = {},
  body?: string
) => Effect.promise(() => send(port, method, path, headers, body))

export interface Exchange {
  readonly request: ClientRequest
  readonly response: Promise<IncomingMessage>
}

export const openRequest = (
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {}
): Exchange => {
  const req = request({ host: "127.0.0.1", port, method, path, headers, agent: false })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve)
    req.once("error", reject)
  })
  return { request: req, response }
}

/** The next chunk the response delivers, as text. */
export const nextChunk = (response: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    response.once("data", (chunk: Buffer) => {
      response.pause()
      resolve(chunk.toString("utf8"))
    })
    response.once("error", reject)
    response.resume()
  })

export const rest = (response: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    response.on("data", (chunk: Buffer) => chunks.push(chunk))
    response.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    response.once("error", reject)
    response.resume()
  })
