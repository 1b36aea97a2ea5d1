/** The provider's use cases, over whichever Nomad, Discovery, SecretStore and Metrics are given. */
import { Layer } from "effect"
import { EndpointResolver } from "./EndpointResolver.ts"
import { FunctionLogs } from "./FunctionLogs.ts"
import { Functions } from "./Functions.ts"
import { Invocations } from "./Invocations.ts"
import { Namespaces } from "./Namespaces.ts"

export const ProviderServices = Invocations.layer.pipe(
  Layer.provideMerge(Layer.merge(Functions.layer, FunctionLogs.layer)),
  Layer.provideMerge(Layer.mergeAll(Namespaces.layer, EndpointResolver.layer))
)
