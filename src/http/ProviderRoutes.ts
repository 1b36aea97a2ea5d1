/**
 * Every faas-provider route as one Layer over an `HttpRouter`, which the CLI
 * serves and an embedding Effect app can merge into its own router.
 */
import { Layer } from "effect"
import { ProxyRoutes } from "./proxy/ProxyRoutes.ts"
import { FunctionRoutes } from "./routes/functionRoutes.ts"
import { PendingRoutes } from "./routes/pendingRoutes.ts"
import { SecretRoutes } from "./routes/secretRoutes.ts"
import { SystemRoutes } from "./routes/systemRoutes.ts"

export const ProviderRoutes = Layer.mergeAll(FunctionRoutes, SystemRoutes, SecretRoutes, PendingRoutes, ProxyRoutes)
