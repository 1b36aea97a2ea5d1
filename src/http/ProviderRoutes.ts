/**
 * Every faas-provider route as one Layer over an `HttpRouter`, which the CLI
 * serves and an embedding Effect app can merge into its own router.
 */
import { Layer } from "effect"
import { ApiMetrics } from "./apiMetrics.ts"
import { BasicAuth } from "./BasicAuth.ts"
import { InvocationProxy } from "./proxy/InvocationProxy.ts"
import { ProxyRoutes } from "./proxy/ProxyRoutes.ts"
import { FunctionRoutes } from "./routes/functionRoutes.ts"
import { LogsRoute } from "./routes/logsRoute.ts"
import { MetricsRoute } from "./routes/metricsRoute.ts"
import { SecretRoutes } from "./routes/secretRoutes.ts"
import { HealthRoute, SystemRoutes } from "./routes/systemRoutes.ts"

/** /system/*: behind basic auth when it is on. */
const SystemApi = Layer.mergeAll(FunctionRoutes, SystemRoutes, SecretRoutes, LogsRoute).pipe(
  Layer.provide(BasicAuth.layer)
)

/** The API's routes, each request recorded in the metrics; /healthz and /metrics are open, as in faas-provider. */
export const ApiRoutes = Layer.mergeAll(SystemApi, HealthRoute, MetricsRoute).pipe(Layer.provide(ApiMetrics.layer))

/** The API and `/function/*`, whose proxy is built here over the provider's `Invocations`. */
export const ProviderRoutes = Layer.mergeAll(ApiRoutes, ProxyRoutes).pipe(Layer.provide(InvocationProxy.layer))
