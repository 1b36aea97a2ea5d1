/**
 * Records every /system/* request (and /healthz, /metrics) with its method,
 * templated route and status, for provider_http_requests_total, its duration
 * histogram and StatsD. Invocations record themselves in the proxy.
 *
 * It wraps every API request, so it reads the request and its route straight
 * from the fiber's context, without a generator, and labels each route once
 * rather than rewriting its path on every request.
 */
import { Context, Effect, Exit } from "effect"
import { HttpRouter, HttpServerRequest } from "effect/http"
import { Metrics } from "../services/Metrics.ts"

/** One label style for every route, as `/function/{name}`: the router's `/system/function/:name` is written so. */
const routeLabel = (path: string) => (path.includes(":") ? path.replace(/:(\w+)/g, "{$1}") : path)

export const ApiMetrics = HttpRouter.middleware(Effect.map(Effect.service(Metrics), (metrics) => {
  const labels = new Map<string, string>()
  const labelOf = (path: string) => {
    let label = labels.get(path)
    if (label === undefined) labels.set(path, label = routeLabel(path))
    return label
  }
  return (httpEffect) =>
    Effect.withFiber((fiber) => {
      const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
      const { route } = Context.getUnsafe(fiber.context, HttpRouter.RouteContext)
      const started = performance.now()
      return Effect.onExit(httpEffect, (exit) =>
        Effect.sync(() =>
          metrics.apiRequest(
            request.method,
            labelOf(route.path),
            Exit.isSuccess(exit) ? exit.value.status : 500,
            performance.now() - started
          )
        ))
    })
}))
