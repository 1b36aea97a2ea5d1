/** Discovery over the in-memory cluster's service catalog, as Consul's `?passing` health query sees it. */
import { Effect, Layer } from "effect"
import { type JobSettings } from "../jobs/JobSettings.ts"
import { serviceName } from "../jobs/JobSettings.ts"
import { Discovery } from "../services/Discovery.ts"
import { MemoryCluster } from "./memory/MemoryCluster.ts"

export const DiscoveryMemory = (settings: JobSettings): Layer.Layer<Discovery, never, MemoryCluster> =>
  Layer.effect(
    Discovery,
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      return Discovery.of({
        endpoints: (ref) =>
          cluster.healthyInstances(serviceName(settings, ref.name)).pipe(
            Effect.map((instances) =>
              instances
                .filter((i) => (i.meta["openfaas_namespace"] ?? i.namespace) === ref.namespace)
                .map((i) => ({ id: i.id, address: i.address, port: i.port }))
            )
          ),
        forget: () => Effect.void
      })
    })
  )
