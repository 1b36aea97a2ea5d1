/**
 * node:http against the provider under test, for what an Effect client hides:
 * reading a response chunk by chunk, and sending a body in pieces.
 */
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import { type ClientRequest, type IncomingMessage, request } from "node:http"

export const providerPort = Effect.map(Effect.service(HttpServer.HttpServer), (server) => {
  if (server.address._tag === "UnixPathAddress") throw new Error("expected a TCP address")
  return server.address.port
})

/** A whole exchange: the status, headers and body text of a request sent at once. */
export const exchange = (
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string
) =>
  Effect.promise(async () => {
    const { request: req, response } = openRequest(port, method, path, headers)
    req.end(body)
    const res = await response
    return { status: res.statusCode!, headers: res.headers, text: await rest(res) }
  })

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
