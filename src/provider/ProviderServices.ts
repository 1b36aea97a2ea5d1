/** The provider's own services, over whichever Nomad, Discovery and Metrics are given. */
import { Layer } from "effect"
import { InvocationClient } from "../http/proxy/ProxyRoutes.ts"
import { Functions } from "./Functions.ts"
import { Namespaces } from "./Namespaces.ts"

export const ProviderServices = Layer.mergeAll(Functions.layer, Namespaces.layer, InvocationClient.layer)
