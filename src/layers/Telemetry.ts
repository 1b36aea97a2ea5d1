/**
 * Tracing with OpenTelemetry, configured by the standard OTEL_* variables.
 * With a collector endpoint set, every API request gets a server span named
 * after its route, every Nomad, Consul and Vault call a client span (W3C
 * trace context sent along), and every invocation a server and a client span
 * (see the proxy). With none set, tracing is off: no spans are made and no
 * trace headers are sent to anyone.
 */
import type { Sampler } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Redacted, References, Tracer } from "effect"
import { Headers, HttpMiddleware } from "effect/http"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import type { ProviderSettings } from "../config/settings.ts"
import { release } from "../version.ts"

/** Where traces go, if anywhere. */
export const tracesEndpoint = (config: ProviderSettings): string | undefined =>
  config.otelExporterOtlpTracesEndpoint?.href ??
    (config.otelExporterOtlpEndpoint === undefined
      ? undefined
      : `${config.otelExporterOtlpEndpoint.href.replace(/\/$/, "")}/v1/traces`)

/** The OpenTelemetry SDK, loaded only when tracing is on: a provider that does not trace does not pay for it. */
const loadSdk = () =>
  Effect.promise(async () => {
    const [opentelemetry, NodeSdk, json, protobuf, base] = await Promise.all([
      import("@effect/opentelemetry"),
      import("@effect/opentelemetry/NodeSdk"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/exporter-trace-otlp-proto"),
      import("@opentelemetry/sdk-trace-base")
    ])
    return { opentelemetry, NodeSdk, json, protobuf, base }
  })
type Sdk = Effect.Success<ReturnType<typeof loadSdk>>

const sampler = (sdk: Sdk, config: ProviderSettings): Sampler => {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk.base
  const ratio = new TraceIdRatioBasedSampler(config.otelTracesSamplerArg)
  switch (config.otelTracesSampler) {
    case "always_on":
      return new AlwaysOnSampler()
    case "always_off":
      return new AlwaysOffSampler()
    case "traceidratio":
      return ratio
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio })
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}

/** `key=value,key=value`, values percent-decoded, as the OTLP exporter specification reads them. */
const collectorHeaders = (config: ProviderSettings): Record<string, string> => {
  const raw = config.otelExporterOtlpHeaders === undefined ? "" : Redacted.value(config.otelExporterOtlpHeaders)
  const headers: Record<string, string> = {}
  for (const pair of raw.split(",")) {
    const eq = pair.indexOf("=")
    if (eq > 0) headers[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim())
  }
  return headers
}

/** The provider's own routes, templated, for span names: `GET /system/function/:name`. */
export const routeTemplate = (url: string): string => {
  const path = url.split("?")[0] ?? url
  if (path.startsWith("/function/")) return "/function/{name}"
  if (path.startsWith("/system/function/")) return "/system/function/:name"
  if (path.startsWith("/system/scale-function/")) return "/system/scale-function/:name"
  return path
}

const tracingOff = Layer.mergeAll(
  Layer.succeed(References.TracerEnabled, false),
  Layer.succeed(Tracer.DisablePropagation, true)
)

const tracingOn = (sdk: Sdk, config: ProviderSettings, url: string) => {
  const exporterOptions = { url, headers: collectorHeaders(config) }
  const exporter = config.otelExporterOtlpProtocol === "http/json"
    ? new sdk.json.OTLPTraceExporter(exporterOptions)
    : new sdk.protobuf.OTLPTraceExporter(exporterOptions)
  const processor = new sdk.base.BatchSpanProcessor(exporter, { scheduledDelayMillis: config.otelBspScheduleDelay })
  const { OtelTracer, Resource } = sdk.opentelemetry
  return OtelTracer.layer.pipe(
    Layer.provide(sdk.NodeSdk.layerTracerProvider(processor, { sampler: sampler(sdk, config) })),
    Layer.provide(Resource.layerFromEnv({ "service.name": config.otelServiceName, "service.version": release })),
    Layer.merge(
      Layer.succeed(HttpMiddleware.SpanNameGenerator, (request) => `${request.method} ${routeTemplate(request.url)}`)
    ),
    // Should header attributes ever be recorded, the dependencies' tokens are never among them.
    Layer.merge(Layer.succeed(Headers.CurrentRedactedNames, [
      "authorization",
      "cookie",
      "set-cookie",
      "x-api-key",
      "x-nomad-token",
      "x-consul-token",
      "x-vault-token"
    ]))
  )
}

export const Telemetry: Layer.Layer<never, never, ProviderConfig> = Layer.unwrap(
  Effect.gen(function*() {
    const config = yield* ProviderConfig
    const url = tracesEndpoint(config)
    return url === undefined ? tracingOff : tracingOn(yield* loadSdk(), config, url)
  })
)
