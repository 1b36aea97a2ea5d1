/**
 * Every faas-provider route as one Layer over an `HttpRouter`, which the CLI
 * serves and an embedding Effect app can merge into its own router: the API
 * built from its declaration, and `/function/*`, the invocation proxy.
 */
import { Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ConventionsLive } from "./api/Conventions.ts"
import { ProviderApi } from "./api/ProviderApi.ts"
import { ApiMetrics } from "./apiMetrics.ts"
import { AuthenticationLive, BasicAuth } from "./BasicAuth.ts"
import { EmptyBodies } from "./emptyBodies.ts"
import { InvocationProxy } from "./proxy/InvocationProxy.ts"
import { ProxyRoutes } from "./proxy/ProxyRoutes.ts"
import { DocumentationHandlers } from "./routes/documentationRoutes.ts"
import { FunctionHandlers } from "./routes/functionRoutes.ts"
import { LogsHandlers } from "./routes/logsRoute.ts"
import { MetricsHandlers } from "./routes/metricsRoute.ts"
import { SecretHandlers, SecretsOtherMethods } from "./routes/secretRoutes.ts"
import { HealthHandlers, SystemHandlers } from "./routes/systemRoutes.ts"

/** The declared endpoints, each with its handlers and the middleware the declaration names. */
const DeclaredRoutes = HttpApiBuilder.layer(ProviderApi).pipe(
  Layer.provide([
    FunctionHandlers,
    SecretHandlers,
    LogsHandlers,
    SystemHandlers,
    HealthHandlers,
    MetricsHandlers,
    DocumentationHandlers
  ]),
  Layer.provide([ConventionsLive, AuthenticationLive, EmptyBodies.layer])
)

/** The API's routes, each request recorded in the metrics; /healthz and /metrics are open, as in faas-provider. */
export const ApiRoutes = Layer.mergeAll(DeclaredRoutes, SecretsOtherMethods.pipe(Layer.provide(BasicAuth.layer))).pipe(
  Layer.provide(ApiMetrics.layer)
)

/** The API and `/function/*`, whose proxy is built here over the provider's `Invocations`. */
export const ProviderRoutes = Layer.mergeAll(ApiRoutes, ProxyRoutes).pipe(Layer.provide(InvocationProxy.layer))
