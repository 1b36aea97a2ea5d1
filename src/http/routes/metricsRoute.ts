/**
 * GET /metrics, open like faas-provider's: what the provider recorded, plus
 * each function's desired and available replicas, read at scrape time (one
 * Nomad list per namespace). When Nomad is down the gauges are left out and
 * `faas_nomad_functions_listed` says 0, rather than failing the scrape.
 */
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Functions } from "../../provider/Functions.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { type Gauge, Metrics } from "../../services/Metrics.ts"
import { ProviderApi } from "../api/ProviderApi.ts"

/** Whether the scrape could list functions: without it, absent replica gauges would read as no functions. */
const listed = (value: 0 | 1): Gauge => ({
  name: "faas_nomad_functions_listed",
  help: "1 when the scrape could list functions",
  labelNames: [],
  samples: [{ labels: [], value }]
})

export const MetricsHandlers = HttpApiBuilder.group(
  ProviderApi,
  "monitoring",
  Effect.fnUntraced(function*(handlers) {
    const metrics = yield* Metrics
    const functions = yield* Functions
    const namespaces = yield* Namespaces

    const replicaGauges = Effect.gen(function*() {
      const names = yield* namespaces.list
      const lists = yield* Effect.forEach(names, (ns) => namespaces.resolve(ns).pipe(Effect.flatMap(functions.list)), {
        concurrency: 4
      })
      const statuses = lists.flat()
      const gauges: ReadonlyArray<Gauge> = [
        {
          name: "faas_nomad_function_replicas",
          help: "Desired instances of a function",
          labelNames: ["function_name", "namespace"],
          samples: statuses.map((s) => ({ labels: [s.name, s.namespace], value: s.replicas }))
        },
        {
          name: "faas_nomad_function_available_replicas",
          help: "Instances of a function ready to serve",
          labelNames: ["function_name", "namespace"],
          samples: statuses.map((s) => ({ labels: [s.name, s.namespace], value: s.availableReplicas }))
        },
        listed(1)
      ]
      return gauges
    }).pipe(Effect.catch(() => Effect.succeed<ReadonlyArray<Gauge>>([listed(0)])))

    return handlers.handle("metrics", () => Effect.map(replicaGauges, metrics.prometheus))
  })
)
