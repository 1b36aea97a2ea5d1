/**
 * GET /metrics, open like faas-provider's: what the provider recorded, plus
 * each function's desired and available replicas, read at scrape time (one
 * Nomad list per namespace). When Nomad is down the gauges are left out and
 * `faas_nomad_functions_listed` says 0, rather than failing the scrape.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Functions } from "../../provider/Functions.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { type Gauge, Metrics } from "../../services/Metrics.ts"

/** Whether the scrape could list functions: without it, absent replica gauges would read as no functions. */
const listed = (value: 0 | 1): Gauge => ({
  name: "faas_nomad_functions_listed",
  help: "1 when the scrape could list functions",
  labelNames: [],
  samples: [{ labels: [], value }]
})

export const MetricsRoute = HttpRouter.use(Effect.fnUntraced(function*(router) {
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

  yield* router.add(
    "GET",
    "/metrics",
    Effect.map(
      replicaGauges,
      (gauges) =>
        HttpServerResponse.text(metrics.prometheus(gauges), { contentType: "text/plain; version=0.0.4; charset=utf-8" })
    )
  )
}))
