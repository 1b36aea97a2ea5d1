import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { call, json } from "../support/http.ts"
import { startOtlpReceiver } from "../support/otlpReceiver.ts"
import { settled, testApp } from "../support/testApp.ts"

const SERVER = 2
const CLIENT = 3

describe("tracing with OTLP/HTTP", () => {
  it.live("an invocation is a server span and a client span, and the function gets the trace context", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const app = testApp({
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_BSP_SCHEDULE_DELAY: "20",
          OTEL_SERVICE_NAME: "faas-nomad-test"
        }
      })
      yield* Effect.gen(function*() {
        const deployed = yield* call("POST", "/system/functions", { service: "traced", image: "x:1" })
        assert.strictEqual(deployed.status, 202)
        yield* settled
        const caller = "4bf92f3577b34da6a3ce929d0e0e4736"
        const seen = json(
          yield* call("GET", "/function/traced/x", undefined, {
            traceparent: `00-${caller}-00f067aa0ba902b7-01`,
            tracestate: "vendor=abc",
            "x-call-id": "call-1"
          })
        )
        const server = yield* receiver.span((s) => s.kind === SERVER && s.name === "GET /function/{name}")
        const client = yield* receiver.span((s) => s.kind === CLIENT && s.attributes["faas.invoked_name"] === "traced")
        assert.strictEqual(server.traceId, caller)
        assert.strictEqual(server.parentSpanId, "00f067aa0ba902b7")
        assert.strictEqual(server.attributes["faas.invocation_id"], "call-1")
        assert.strictEqual(server.attributes["http.response.status_code"], 200)
        assert.strictEqual(server.service, "faas-nomad-test")
        assert.strictEqual(client.traceId, caller)
        assert.strictEqual(client.parentSpanId, server.spanId)
        assert.strictEqual(client.attributes["faas.invoked_provider"], "nomad")
        assert.strictEqual(seen.headers.traceparent, `00-${caller}-${client.spanId}-01`)
        assert.strictEqual(seen.headers.tracestate, "vendor=abc")
        const deploySpan = yield* receiver.span((s) => s.kind === SERVER && s.name === "POST /system/functions")
        assert.strictEqual(deploySpan.attributes["http.route"], "/system/functions")
      }).pipe(Effect.provide(Layer.fresh(app)))
    }))

  it.live("with no collector configured, no trace context reaches functions", () =>
    Effect.gen(function*() {
      yield* call("POST", "/system/functions", { service: "untraced", image: "x:1" })
      yield* settled
      const seen = json(yield* call("GET", "/function/untraced"))
      assert.isUndefined(seen.headers.traceparent)
      assert.isUndefined(seen.headers.b3)
    }).pipe(Effect.provide(testApp())))
})
