/**
 * Spans for one invocation, made directly with the OpenTelemetry API since
 * the proxy's hot path runs outside Effect: a SERVER span continuing the
 * caller's W3C trace context, and a CLIENT span for the call to the
 * instance, whose context (traceparent and tracestate) goes to the function.
 * Only built when tracing is on.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
  type Tracer
} from "@opentelemetry/api"
import { W3CTraceContextPropagator } from "@opentelemetry/core"
import type { IncomingHttpHeaders, IncomingMessage } from "node:http"
import type { FunctionRef } from "../../domain/FunctionName.ts"

const propagator = new W3CTraceContextPropagator()

const getter: TextMapGetter<IncomingHttpHeaders> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier)
}

const setter: TextMapSetter<Record<string, string | Array<string>>> = {
  set: (carrier, key, value) => {
    carrier[key] = value
  }
}

export interface InvocationSpans {
  readonly end: (status: number, error?: string) => void
}

export type InvocationTracing = (
  request: IncomingMessage,
  ref: FunctionRef,
  endpoint: { readonly address: string; readonly port: number },
  path: string,
  /** The headers going to the function: trace context is written into them. */
  upstreamHeaders: Record<string, string | Array<string>>
) => InvocationSpans

export const makeInvocationTracing =
  (tracer: Tracer): InvocationTracing => (request, ref, endpoint, path, upstreamHeaders) => {
    const method = request.method ?? "GET"
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, getter)
    const callId = request.headers["x-call-id"]
    const server = tracer.startSpan(`${method} /function/{name}`, {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": method,
        "http.route": "/function/{name}",
        "url.path": request.url ?? "",
        "faas.trigger": "http",
        ...(typeof callId === "string" ? { "faas.invocation_id": callId } : {})
      }
    }, parent)
    const withServer = trace.setSpan(parent, server)
    const client = tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": method,
        "server.address": endpoint.address,
        "server.port": endpoint.port,
        "url.full": `http://${endpoint.address}:${endpoint.port}${path}`,
        "faas.invoked_name": ref.name,
        "faas.invoked_provider": "nomad",
        "faas.namespace": ref.namespace,
        ...(typeof callId === "string" ? { "faas.invocation_id": callId } : {})
      }
    }, withServer)
    propagator.inject(trace.setSpan(withServer, client), upstreamHeaders, setter)
    return {
      end: (status, error) => {
        for (const span of [client, server]) {
          if (status > 0) span.setAttribute("http.response.status_code", status)
          if (status >= 500 || error !== undefined) {
            span.setStatus({ code: SpanStatusCode.ERROR, ...(error === undefined ? {} : { message: error }) })
            if (error !== undefined) span.setAttribute("error.type", error)
          }
        }
        client.end()
        server.end()
      }
    }
  }
