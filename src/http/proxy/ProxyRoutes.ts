/**
 * `/function/*` as a route, for an Effect app that mounts the provider's
 * routes in its own Node server: it hands Node's request and response to the
 * invocation proxy. The provider's own server skips the router and calls the
 * proxy directly (see ProviderServer).
 */
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { IncomingMessage, ServerResponse } from "node:http"
import { InvocationProxy } from "./InvocationProxy.ts"

/** Stands for the response the proxy already wrote; the server sends nothing more once it is finished. */
const written = HttpServerResponse.empty()

export const ProxyRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const proxy = yield* InvocationProxy
  yield* router.add(
    "*",
    "/function/*",
    Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) =>
        Effect.callback<HttpServerResponse.HttpServerResponse>((resume) => {
          const response = NodeHttpServerRequest.toServerResponse(request) as ServerResponse
          response.once("close", () => resume(Effect.succeed(written)))
          // HTTP/1.1 only: the proxy speaks Node's HTTP/1 request and response.
          proxy.handle(NodeHttpServerRequest.toIncomingMessage(request) as IncomingMessage, response)
        })
    )
  )
}))
