/**
 * An empty answer (202 for a deploy, 201 for a new secret, /healthz) goes
 * with `content-length: 0`, as the Go providers send it: without the header
 * Node frames an empty body as chunked.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

const framed = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Empty" && response.headers["content-length"] === undefined
    ? HttpServerResponse.setHeader(response, "content-length", "0")
    : response

export const EmptyBodies = HttpRouter.middleware((httpEffect) => Effect.map(httpEffect, framed))
