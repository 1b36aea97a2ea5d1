/**
 * Routing as Consul's Go `ServeMux` and `wrap` do it: longest pattern wins, a
 * pattern ending in "/" owns its subtree (and its bare root is redirected
 * there), declared methods give 405 with `Allow` and answer OPTIONS, unknown
 * paths get the agent's 404 text, and handler errors become plain-text bodies.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { LoggedRequest } from "../SimServer.ts"
import { FilterError } from "./BexprFilter.ts"
import { type Headers, HttpError, Responder } from "./ConsulHttp.ts"

export interface RouteCall {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly query: URLSearchParams
  /** The decoded path after a subtree pattern, e.g. the service name. */
  readonly rest: string
  readonly reply: Responder
}

export interface Route {
  /** A Go mux pattern: `/v1/catalog/services` exactly, or `/v1/health/service/` and below. */
  readonly pattern: string
  readonly methods: ReadonlyArray<string>
  readonly handle: (call: RouteCall) => void | Promise<void>
}

const notFound = (response: ServerResponse, path: string) => {
  response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" })
  response.end(
    path.includes("/v1/")
      ? "Invalid URL path: not a recognized HTTP API endpoint\n"
      : "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n"
  )
}

const decodePath = (path: string): string | undefined => {
  try {
    return decodeURIComponent(path)
  } catch {
    return undefined
  }
}

export const consulRouter =
  (routes: ReadonlyArray<Route>, baseHeaders: () => Headers) =>
  async (request: IncomingMessage, response: ServerResponse, logged: LoggedRequest): Promise<void> => {
    const path = decodePath(logged.path)
    if (path === undefined) {
      response.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" })
      response.end("400 Bad Request")
      return
    }
    const route = routes
      .filter((r) => (r.pattern.endsWith("/") ? path.startsWith(r.pattern) : path === r.pattern))
      .sort((a, b) => b.pattern.length - a.pattern.length)[0]
    if (route === undefined) {
      if (routes.some((r) => r.pattern === `${path}/`)) {
        const search = new URL(request.url ?? "/", "http://consul").search
        response.writeHead(301, { Location: `${path}/${search}`, "Content-Type": "text/html; charset=utf-8" })
        response.end(`<a href="${path}/${search}">Moved Permanently</a>.\n\n`)
        return
      }
      if (path !== "/") return notFound(response, path)
      response.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" })
      response.end(
        "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart."
      )
      return
    }
    const reply = new Responder(request, response, baseHeaders())
    const allow = ["OPTIONS", ...route.methods].join(",")
    if (logged.method === "OPTIONS") return reply.empty(200, { Allow: allow })
    if (!route.methods.includes(logged.method)) {
      return reply.text(405, `method ${logged.method} not allowed`, { Allow: allow })
    }
    try {
      await route.handle({ request, response, query: logged.query, rest: path.slice(route.pattern.length), reply })
    } catch (error) {
      if (error instanceof HttpError) return reply.text(error.status, error.message)
      if (error instanceof FilterError) return reply.text(500, error.message)
      reply.text(500, error instanceof Error ? error.message : String(error))
    }
  }
