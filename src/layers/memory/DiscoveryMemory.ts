/** Discovery over the in-memory cluster's service catalog, as Consul's `?passing` health query sees it. */
import { Effect, Layer, Queue, Stream } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { FunctionRef } from "../../domain/FunctionName.ts"
import { type JobSettings, jobSettingsFrom, serviceName } from "../../jobs/JobSettings.ts"
import { Discovery, type Endpoint, sameEndpoints } from "../../services/Discovery.ts"
import { MemoryCluster } from "./MemoryCluster.ts"
import type { ServiceInstance } from "./ServiceCatalog.ts"

const inNamespace = (instance: ServiceInstance, namespace: string) =>
  (instance.meta["openfaas_namespace"] ?? instance.namespace) === namespace

const toEndpoint = (i: ServiceInstance): Endpoint => ({ id: i.id, address: i.address, port: i.port, tags: i.tags })

/** Discovery over `cluster`'s catalog, for the functions of jobs made with `settings`. */
export const make = (cluster: MemoryCluster["Service"], settings: JobSettings) => {
  const endpointsNow = (ref: FunctionRef) =>
    cluster.healthyInstancesNow(serviceName(settings, ref.name))
      .filter((i) => inNamespace(i, ref.namespace))
      .map(toEndpoint)

  const watch = (ref: FunctionRef) =>
    Stream.callback<ReadonlyArray<Endpoint>>((queue) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          let last = endpointsNow(ref)
          Queue.offerUnsafe(queue, last)
          return cluster.subscribe(() => {
            const next = endpointsNow(ref)
            if (!sameEndpoints(last, next)) Queue.offerUnsafe(queue, last = next)
          })
        }),
        (unsubscribe) => Effect.sync(unsubscribe)
      ), { bufferSize: 1, strategy: "sliding" })

  const readyCounts = (namespace: string) =>
    Effect.sync(() => {
      const counts = new Map<string, number>()
      for (const instance of cluster.healthyInstancesNow()) {
        const name = instance.meta["openfaas_function"]
        if (name !== undefined && inNamespace(instance, namespace)) counts.set(name, (counts.get(name) ?? 0) + 1)
      }
      return counts as ReadonlyMap<string, number>
    })

  return Discovery.of({ watch, readyCounts })
}

export const layer: Layer.Layer<Discovery, never, MemoryCluster | ProviderConfig> = Layer.effect(
  Discovery,
  Effect.gen(function*() {
    return make(yield* MemoryCluster, jobSettingsFrom(yield* ProviderConfig))
  })
)
