/** The provider's own services, over whichever Nomad, Discovery and Metrics are given. */
import { Layer } from "effect"
import { InvocationProxy } from "../http/proxy/InvocationProxy.ts"
import { EndpointResolver } from "./EndpointResolver.ts"
import { FunctionLogs } from "./FunctionLogs.ts"
import { Functions } from "./Functions.ts"
import { Namespaces } from "./Namespaces.ts"

export const ProviderServices = InvocationProxy.layer.pipe(
  Layer.provideMerge(Layer.merge(Functions.layer, FunctionLogs.layer)),
  Layer.provideMerge(Layer.mergeAll(Namespaces.layer, EndpointResolver.layer))
)
