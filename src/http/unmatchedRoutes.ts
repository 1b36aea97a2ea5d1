/**
 * What a request no route matches is told, instead of the router's empty
 * 404: which path was not found, or, when the path cannot be read at all (a
 * malformed percent-escape, a segment over the router's length limit), a 400
 * saying so. Global middleware for the provider's own server; an embedding
 * app keeps its own policy for its router.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"

const text = (status: number, message: string) =>
  HttpServerResponse.text(`${message}\n`, { status, contentType: "text/plain; charset=utf-8" })

const readablePath = (path: string): boolean => {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

const unmatched = (reason: HttpServerError.RouteNotFound) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const path = request.url.split("?", 1)[0]!
    if (!readablePath(path)) {
      return Effect.succeed(text(400, `the path ${JSON.stringify(path)} has a malformed percent-escape`))
    }
    if (reason.description !== undefined) {
      return Effect.succeed(text(400, `the path is too long: ${reason.description}`))
    }
    return Effect.succeed(text(404, `no route for ${request.method} ${path}`))
  })

export const UnmatchedRoutes = HttpRouter.middleware(
  (httpEffect) =>
    Effect.catch(
      httpEffect,
      (error) =>
        HttpServerError.isHttpServerError(error) && error.reason._tag === "RouteNotFound"
          ? unmatched(error.reason)
          : Effect.fail(error)
    ),
  { global: true }
)
