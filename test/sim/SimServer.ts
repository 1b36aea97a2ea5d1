/**
 * What every HTTP simulator (Nomad, Consul, Vault) shares: a loopback server,
 * a log of the requests it received, fault injection, and going down and
 * coming back on the same port. Simulators supply only their routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"

export interface LoggedRequest {
  readonly method: string
  /** Path without the query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage["headers"]
}

/** What a fault does to a request it matches. */
export type Fault =
  /** Answer with this status and body instead of the simulator's answer. */
  | { readonly kind: "status"; readonly status: number; readonly body?: string; readonly contentType?: string }
  /** Read the request and never answer (until the server closes). */
  | { readonly kind: "hang" }
  /** Destroy the connection without answering. */
  | { readonly kind: "drop" }

export interface FaultRule {
  readonly fault: Fault
  /** Which requests it applies to; all when absent. */
  readonly match?: RegExp | ((request: LoggedRequest) => boolean)
  /** How many requests it applies to before it is used up; 1 when absent, Infinity for "until cleared". */
  times?: number
}

export class Faults {
  private rules: Array<FaultRule> = []

  /** Applies `fault` to the next matching request (or `times` of them). */
  inject(fault: Fault, options: { readonly match?: FaultRule["match"]; readonly times?: number } = {}): void {
    if (options.times !== undefined && options.times <= 0) return
    this.rules.push({
      fault,
      ...(options.match === undefined ? {} : { match: options.match }),
      times: options.times ?? 1
    })
  }

  clear(): void {
    this.rules = []
  }

  /** The fault for this request, if any; uses up one application of its rule. */
  take(request: LoggedRequest): Fault | undefined {
    const index = this.rules.findIndex((rule) =>
      rule.match === undefined
        ? true
        : rule.match instanceof RegExp
        ? matches(rule.match, `${request.method} ${request.path}`)
        : rule.match(request)
    )
    if (index === -1) return undefined
    const rule = this.rules[index]!
    rule.times = (rule.times ?? 1) - 1
    if (rule.times <= 0) this.rules.splice(index, 1)
    return rule.fault
  }
}

/** `RegExp.test` without the state a `g` or `y` flag keeps between calls. */
const matches = (pattern: RegExp, text: string) => {
  pattern.lastIndex = 0
  return pattern.test(text)
}

/** A handler may be async; a rejection becomes a 500 naming it instead of an unhandled rejection. */
export type SimHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  logged: LoggedRequest
) => void | Promise<void>

export interface SimServer {
  readonly url: string
  readonly port: number
  readonly faults: Faults
  /** Every request received, in order (faulted ones included). */
  readonly requests: Array<LoggedRequest>
  /** Requests received whose `METHOD path` matches. */
  count(match: RegExp): number
  /** Stops listening and drops every open connection: the dependency is down. */
  down(): Promise<void>
  /** Listens again on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export const startSimServer = async (handler: SimHandler): Promise<SimServer> => {
  const faults = new Faults()
  const requests: Array<LoggedRequest> = []
  const sockets = new Set<Socket>()
  const hung = new Set<ServerResponse>()
  let server: Server | undefined
  let port = 0

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://sim")
    const logged: LoggedRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers
    }
    requests.push(logged)
    const fault = faults.take(logged)
    if (fault === undefined) {
      Promise.resolve(handler(request, response, logged)).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" })
        response.end(`simulator error: ${String(error)}`)
      })
      return
    }
    switch (fault.kind) {
      case "status":
        request.resume()
        response.writeHead(fault.status, { "content-type": fault.contentType ?? "text/plain; charset=utf-8" })
        response.end(fault.body ?? "")
        return
      case "hang":
        request.resume()
        hung.add(response)
        return
      case "drop":
        request.socket.destroy()
        return
    }
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server !== undefined) return resolve()
      const created = createServer({ keepAliveTimeout: 5_000 }, onRequest)
      created.on("connection", (socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
      })
      created.once("error", reject)
      created.listen(port, "127.0.0.1", () => {
        server = created
        port = (created.address() as AddressInfo).port
        resolve()
      })
    })

  const stop = () =>
    new Promise<void>((resolve) => {
      const running = server
      server = undefined
      for (const socket of sockets) socket.destroy()
      hung.clear()
      if (running === undefined) return resolve()
      running.close(() => resolve())
    })

  await listen()
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    faults,
    requests,
    count: (match) => requests.filter((r) => matches(match, `${r.method} ${r.path}`)).length,
    down: stop,
    up: listen,
    close: stop
  }
}

/** Reads a request body as text. */
export const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })
