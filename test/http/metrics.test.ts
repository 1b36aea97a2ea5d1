import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createSocket } from "node:dgram"
import type { AddressInfo } from "node:net"
import { FunctionNotFound } from "../../src/domain/errors.ts"
import { PrometheusRegistry } from "../../src/layers/metrics/PrometheusRegistry.ts"
import { deploymentOf, fnName, provider } from "../support/client.ts"
import { call } from "../support/http.ts"
import { settled, testApp } from "../support/testApp.ts"

/** A StatsD stand-in on loopback: collects every line it receives. */
const statsd = createSocket("udp4")
const received: Array<string> = []
const waiters: Array<() => void> = []
statsd.on("message", (message) => {
  received.push(...message.toString().split("\n"))
  for (const wake of waiters.splice(0)) wake()
})
await new Promise<void>((resolve) => statsd.bind(0, "127.0.0.1", resolve))
const statsdPort = (statsd.address() as AddressInfo).port

/** Waits until a received line matches, for as many datagrams as it takes. */
const line = (match: RegExp) =>
  Effect.promise(async () => {
    for (;;) {
      const found = received.find((l) => match.test(l))
      if (found !== undefined) return found
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  })

layer(testApp({ env: { statsd_addr: `127.0.0.1:${statsdPort}` } }), { excludeTestServices: true })("metrics", (it) => {
  it.effect("/metrics counts API requests by code, method and templated path, and invocations per function", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.functions.deploy({ query: {}, payload: deploymentOf("counted", { image: "x:1" }) })
      yield* settled
      yield* client.functions.status({ query: {}, params: { name: fnName("counted") } })
      const nobody = yield* Effect.flip(client.functions.status({ query: {}, params: { name: fnName("nobody") } }))
      assert.instanceOf(nobody, FunctionNotFound)
      for (let i = 0; i < 3; i++) yield* call("POST", "/function/counted/path", "hi")
      const scraped = yield* call("GET", "/metrics")
      assert.strictEqual(scraped.status, 200)
      assert.include(scraped.headers["content-type"], "text/plain; version=0.0.4")
      const text = scraped.text
      assert.include(text, `provider_http_requests_total{code="202",method="POST",path="/system/functions"} 1`)
      assert.include(text, `provider_http_requests_total{code="200",method="GET",path="/system/function/{name}"} 1`)
      assert.include(text, `provider_http_requests_total{code="404",method="GET",path="/system/function/{name}"} 1`)
      assert.include(text, `provider_http_requests_total{code="200",method="POST",path="/function/{name}"} 3`)
      assert.include(
        text,
        `faas_nomad_function_invocation_total{function_name="counted",namespace="default",code="200"} 3`
      )
      assert.include(text, `faas_nomad_function_duration_seconds_count{function_name="counted",namespace="default"} 3`)
      assert.include(text, `faas_nomad_function_replicas{function_name="counted",namespace="default"} 1`)
      assert.include(text, `faas_nomad_function_available_replicas{function_name="counted",namespace="default"} 1`)
      assert.include(text, `# TYPE provider_http_request_duration_seconds histogram`)
    }))

  it.effect("StatsD gets faas.nomadd.* counters and timers with DogStatsD tags", () =>
    Effect.gen(function*() {
      yield* (yield* provider).functions.deploy({ query: {}, payload: deploymentOf("statsd-fn", { image: "x:1" }) })
      yield* settled
      yield* call("GET", "/function/statsd-fn")
      assert.strictEqual(
        yield* line(/^faas\.nomadd\.function\.called:1\|c\|#job:statsd-fn,namespace:default$/),
        "faas.nomadd.function.called:1|c|#job:statsd-fn,namespace:default"
      )
      assert.match(
        yield* line(/^faas\.nomadd\.function\.timing:.*statsd-fn/),
        /^faas\.nomadd\.function\.timing:[\d.]+\|ms\|#job:statsd-fn,namespace:default$/
      )
      assert.match(
        yield* line(/^faas\.nomadd\.function\.success:.*statsd-fn/),
        /^faas\.nomadd\.function\.success:1\|c\|#job:statsd-fn/
      )
      assert.match(yield* line(/^faas\.nomadd\.deploy\.called:/), /^faas\.nomadd\.deploy\.called:1\|c\|#code:202$/)
      assert.match(yield* line(/^faas\.nomadd\.deploy\.timing:/), /\|ms\|#code:202$/)
    }))

  it.effect("a deleted function's series are dropped", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.functions.deploy({ query: {}, payload: deploymentOf("short-lived", { image: "x:1" }) })
      yield* settled
      yield* call("GET", "/function/short-lived")
      assert.include((yield* call("GET", "/metrics")).text, `function_name="short-lived"`)
      yield* client.functions.delete({ query: {}, payload: { functionName: fnName("short-lived") } })
      assert.notInclude((yield* call("GET", "/metrics")).text, `function_name="short-lived"`)
    }))
})

describe("the Prometheus registry", () => {
  const registry = new PrometheusRegistry()
  const histogram = registry.histogram("h_seconds", "a histogram", ["a"], [0.1, 1])
  const counter = registry.counter("c_total", "a counter", ["a"])
  histogram("x").observe(0.05)
  histogram("x").observe(0.5)
  histogram("x").observe(5)
  counter(`quote"and\\slash`).inc(2)

  layer(testApp())("renders", (it) => {
    it.effect("cumulative buckets, sum and count, escaped labels", () =>
      Effect.sync(() => {
        const text = registry.render()
        assert.include(text, `h_seconds_bucket{a="x",le="0.1"} 1`)
        assert.include(text, `h_seconds_bucket{a="x",le="1"} 2`)
        assert.include(text, `h_seconds_bucket{a="x",le="+Inf"} 3`)
        assert.include(text, `h_seconds_sum{a="x"} 5.55`)
        assert.include(text, `h_seconds_count{a="x"} 3`)
        assert.include(text, `c_total{a="quote\\"and\\\\slash"} 2`)
      }))
  })
})
