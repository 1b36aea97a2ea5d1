/**
 * The provider's metrics: a Prometheus registry for /metrics, always, and
 * StatsD when `statsd_addr` is set. Names follow faas-provider for HTTP
 * (`provider_http_requests_total`, `provider_http_request_duration_seconds`)
 * and the original faas-nomad for StatsD (`faas.nomadd.*`, without its doubled
 * prefix). Recording is synchronous and allocation-light: it sits on the
 * invocation hot path.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { type FunctionRef, refKey } from "../../domain/FunctionName.ts"
import { type AutoscalingRecorder, type InvocationRecorder, Metrics, unknownFunction } from "../../services/Metrics.ts"
import { type CounterSeries, type HistogramSeries, PrometheusRegistry } from "./PrometheusRegistry.ts"
import { makeStatsdClient, type StatsdClient } from "./StatsdClient.ts"

/** The original faas-nomad's handler names, for StatsD. */
const handlerNames: Record<string, string> = {
  "GET /system/functions": "reader",
  "POST /system/functions": "deploy",
  "PUT /system/functions": "update",
  "DELETE /system/functions": "delete",
  "GET /system/function/{name}": "replicationreader",
  "POST /system/scale-function/{name}": "replicationwriter",
  "GET /system/info": "info",
  "GET /system/namespaces": "namespaces",
  "GET /system/logs": "logs"
}

const statsdHandler = (method: string, route: string) =>
  handlerNames[`${method} ${route}`] ?? (route === "/system/secrets" ? "secrets" : undefined)

const invocationPath = "/function/{name}"

export const make = (statsd: StatsdClient | undefined, dogstatsdTags: boolean) => {
  const registry = new PrometheusRegistry()
  const httpRequests = registry.counter(
    "provider_http_requests_total",
    "HTTP requests the provider answered, by status code, method and templated path",
    ["code", "method", "path"]
  )
  const httpDuration = registry.histogram(
    "provider_http_request_duration_seconds",
    "Time the provider took to answer, by status code, method and templated path",
    ["code", "method", "path"]
  )
  const invocationsTotal = registry.counter(
    "faas_nomad_function_invocation_total",
    "Invocations proxied to a function, by function, namespace and status code",
    ["function_name", "namespace", "code"]
  )
  const invocationDuration = registry.histogram(
    "faas_nomad_function_duration_seconds",
    "Time a function took to answer through the proxy",
    ["function_name", "namespace"]
  )
  const autoscalerDecisions = registry.counter(
    "faas_nomad_autoscaler_decisions_total",
    "Changes of a function's count the autoscaler made (load, idle, bounds) or took as they came (manual)",
    ["function_name", "namespace", "reason"]
  )
  const desiredReplicas = registry.gauge(
    "faas_nomad_function_desired_replicas",
    "Replicas the autoscaler wants for a function, on the replica that decides",
    ["function_name", "namespace"]
  )
  const loadPerReplica = registry.gauge(
    "faas_nomad_function_load_per_replica",
    "Load per replica the autoscaler last saw, in the unit of the function's com.openfaas.scale.type",
    ["function_name", "namespace"]
  )
  const recorders = new Map<string, { readonly recorder: InvocationRecorder; count: number }>()
  /** Series by "method code", shared by every recorder: the HTTP metrics of /function/{name}. */
  const invocationHttp = new Map<string, { readonly total: CounterSeries; readonly duration: HistogramSeries }>()

  const statsdLine = (name: string, value: string, type: string, tags: string) =>
    dogstatsdTags ? `${name}:${value}|${type}${tags}` : `${name}:${value}|${type}`

  const makeRecorder = (ref: { readonly name: string; readonly namespace: string }) => {
    const byCode = new Map<number, CounterSeries>()
    const duration = invocationDuration(ref.name, ref.namespace)
    const tags = `|#job:${ref.name},namespace:${ref.namespace}`
    const base = dogstatsdTags ? "faas.nomadd.function" : `faas.nomadd.function.${ref.namespace}.${ref.name}`
    const state = {
      count: 0,
      recorder: {
        record: (status: number, durationMillis: number, method: string) => {
          state.count++
          let total = byCode.get(status)
          if (total === undefined) byCode.set(status, total = invocationsTotal(ref.name, ref.namespace, String(status)))
          total.inc()
          duration.observe(durationMillis / 1000)
          const httpKey = `${method} ${status}`
          let http = invocationHttp.get(httpKey)
          if (http === undefined) {
            invocationHttp.set(
              httpKey,
              http = {
                total: httpRequests(String(status), method, invocationPath),
                duration: httpDuration(String(status), method, invocationPath)
              }
            )
          }
          http.total.inc()
          http.duration.observe(durationMillis / 1000)
          if (statsd !== undefined) {
            statsd.send(statsdLine(`${base}.called`, "1", "c", tags))
            const outcome = status === 504 ? "timeout" : status >= 500 ? "error" : "success"
            statsd.send(statsdLine(`${base}.${outcome}`, "1", "c", tags))
            statsd.send(statsdLine(`${base}.timing`, durationMillis.toFixed(3), "ms", tags))
          }
        }
      }
    }
    return state
  }

  const invocations = (ref: FunctionRef): InvocationRecorder => {
    const key = refKey(ref)
    const existing = recorders.get(key)
    if (existing !== undefined) return existing.recorder
    const state = makeRecorder(ref)
    recorders.set(key, state)
    return state.recorder
  }

  const apiRequest = (method: string, route: string, status: number, durationMillis: number) => {
    httpRequests(String(status), method, route).inc()
    httpDuration(String(status), method, route).observe(durationMillis / 1000)
    const handler = statsd === undefined ? undefined : statsdHandler(method, route)
    if (statsd !== undefined && handler !== undefined) {
      const tags = `|#code:${status}`
      statsd.send(statsdLine(`faas.nomadd.${handler}.called`, "1", "c", tags))
      statsd.send(statsdLine(`faas.nomadd.${handler}.${status < 400 ? "success" : "error"}`, "1", "c", tags))
      statsd.send(statsdLine(`faas.nomadd.${handler}.timing`, durationMillis.toFixed(3), "ms", tags))
    }
  }

  const autoscaling = (ref: FunctionRef): AutoscalingRecorder => {
    const desired = desiredReplicas(ref.name, ref.namespace)
    const load = loadPerReplica(ref.name, ref.namespace)
    return {
      decided: (reason) => autoscalerDecisions(ref.name, ref.namespace, reason).inc(),
      observed: (replicas, perReplica) => {
        desired.set(replicas)
        load.set(perReplica)
      },
      clear: () =>
        registry.remove((values) => values.length === 2 && values[0] === ref.name && values[1] === ref.namespace, [
          "faas_nomad_function_desired_replicas",
          "faas_nomad_function_load_per_replica"
        ])
    }
  }

  return Metrics.of({
    invocations,
    autoscaling,
    unknownFunction: makeRecorder({ name: unknownFunction, namespace: unknownFunction }).recorder,
    invocationCount: (ref) => recorders.get(refKey(ref))?.count ?? 0,
    apiRequest,
    forget: (ref) => {
      recorders.delete(refKey(ref))
      registry.remove((values) => values[0] === ref.name && values[1] === ref.namespace)
    },
    prometheus: (gauges) => registry.render(gauges)
  })
}

export const layer: Layer.Layer<Metrics, never, ProviderConfig> = Layer.effect(
  Metrics,
  Effect.gen(function*() {
    const config = yield* ProviderConfig
    const address = config.statsdAddr
    const context = yield* Effect.context<never>()
    const statsd = address === undefined ?
      undefined :
      yield* makeStatsdClient(
        address.host,
        address.port,
        (message) => Effect.runForkWith(context)(Effect.logWarning(message))
      )
    return make(statsd, config.statsdTags)
  })
)
