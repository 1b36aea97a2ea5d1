/**
 * Records every /system/* request (and /healthz, /metrics) with its method,
 * templated route and status, for provider_http_requests_total, its duration
 * histogram and StatsD. Invocations record themselves in the proxy.
 */
import { Effect, Exit } from "effect"
import { HttpRouter, HttpServerRequest } from "effect/http"
import { Metrics } from "../services/Metrics.ts"

/** One label style for every route, as `/function/{name}`: the router's `/system/function/:name` is written so. */
const routeLabel = (path: string) => (path.includes(":") ? path.replace(/:(\w+)/g, "{$1}") : path)

export const ApiMetrics = HttpRouter.middleware(Effect.gen(function*() {
  const metrics = yield* Metrics
  return (httpEffect) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const { route } = yield* HttpRouter.RouteContext
      const started = performance.now()
      return yield* Effect.onExit(httpEffect, (exit) =>
        Effect.sync(() =>
          metrics.apiRequest(
            request.method,
            routeLabel(route.path),
            Exit.isSuccess(exit) ? exit.value.status : 500,
            performance.now() - started
          )
        ))
    })
}))
