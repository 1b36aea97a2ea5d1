/** Discovery through Consul against the Consul simulator: its instances, the layers, and a watch's answers. */
import { Effect, Layer, Queue, Stream } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import type { FunctionRef } from "../../src/domain/FunctionName.ts"
import { ConsulApiClient } from "../../src/layers/consul/ConsulApiClient.ts"
import * as DiscoveryConsul from "../../src/layers/consul/DiscoveryConsul.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { Discovery, type Endpoint } from "../../src/services/Discovery.ts"
import type { ConsulSimulator } from "../sim/consul/ConsulSimulator.ts"
import type { ServiceInstance } from "../sim/ServiceSink.ts"

export const ref = (name: string, namespace = "default") => ({ name, namespace }) as FunctionRef

/** An instance of function `name` as Nomad registers it: tagged `openfaas`, with an HTTP check. */
export const instance = (id: string, name: string, extra: Partial<ServiceInstance> = {}): ServiceInstance => ({
  id,
  name: `openfaas-${name}`,
  namespace: "default",
  address: "10.0.0.1",
  port: 20000 + Number(id.replace(/\D/g, "") || 0),
  tags: ["openfaas", "openfaas-namespace-default"],
  meta: { openfaas_function: name, openfaas_namespace: "default" },
  allocId: `alloc-${id}`,
  jobId: `OpenFaaS-${name}`,
  checks: [{ name: "health", type: "http", path: "/_/health" }],
  ...extra
})

/** Consul discovery and the endpoint resolver over it (one discovery shared by both). */
export const discoveryFor = (consul: ConsulSimulator, env: Record<string, string> = {}) => {
  const config = ProviderConfig.layerFromEnv({ CONSUL_HTTP_ADDR: consul.url, api_timeout: "2s", ...env })
  return Layer.mergeAll(DiscoveryConsul.layer, EndpointResolver.layer.pipe(Layer.provide(DiscoveryConsul.layer))).pipe(
    Layer.provideMerge(ConsulApiClient.layer),
    Layer.provideMerge(config)
  )
}

/** Takes the watch's answers one by one; the watch lasts as long as the scope. */
export const watching = (target: FunctionRef) =>
  Effect.gen(function*() {
    const discovery = yield* Discovery
    const queue = yield* Queue.unbounded<ReadonlyArray<Endpoint>>()
    yield* Effect.forkScoped(Stream.runForEach(discovery.watch(target), (endpoints) => Queue.offer(queue, endpoints)))
    return Queue.take(queue)
  })

export const ids = (endpoints: ReadonlyArray<Endpoint>) => endpoints.map((e) => e.id).sort()
