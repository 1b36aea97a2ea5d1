/**
 * The provider's use cases, over whichever Nomad, Discovery, SecretStore and Metrics are given, and the
 * autoscaler, over the Leadership and LoadExchange given with them.
 */
import { Layer } from "effect"
import * as Autoscaler from "./autoscaling/Autoscaler.ts"
import { EndpointResolver } from "./EndpointResolver.ts"
import { FunctionLogs } from "./FunctionLogs.ts"
import { Functions } from "./Functions.ts"
import { Invocations } from "./Invocations.ts"
import { Namespaces } from "./Namespaces.ts"

export const ProviderServices = Layer.merge(Invocations.layer, Autoscaler.layer).pipe(
  Layer.provideMerge(Layer.merge(Functions.layer, FunctionLogs.layer)),
  Layer.provideMerge(Layer.mergeAll(Namespaces.layer, EndpointResolver.layer))
)
