/**
 * The autoscaler in the dev cluster (the in-memory Nomad, one provider),
 * driven by TestClock: bounded load loops push virtual seconds forward, so
 * no test sleeps on the wall clock. What it waits for in real time is I/O:
 * instances starting and stopping (`eventually`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, References } from "effect"
import { TestClock } from "effect/testing"
import { EndpointResolver } from "../../../src/provider/EndpointResolver.ts"
import { Nomad } from "../../../src/services/Nomad.ts"
import { Serving } from "../../../src/services/Serving.ts"
import { eventually } from "../../support/eventually.ts"
import { call, json } from "../../support/http.ts"
import { openRequest, providerPort } from "../../support/rawHttp.ts"
import { settled, testApp } from "../../support/testApp.ts"
import { makeTestFunction } from "../../support/testFunction.ts"

interface Logged {
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/** Every log line the provider writes, with its annotations. */
const captureLogs = () => {
  const lines: Array<Logged> = []
  const logger = Logger.make(({ fiber, message }) => {
    lines.push({
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      annotations: fiber.getRef(References.CurrentLogAnnotations)
    })
  })
  return { lines, layer: Logger.layer([logger]) }
}

const deploy = (service: string, labels: Record<string, string>) =>
  Effect.gen(function*() {
    const answer = yield* call("POST", "/system/functions", { service, image: "test/fn:1", labels })
    assert.strictEqual(answer.status, 202, answer.text)
    yield* settled
  })

const status = (name: string) =>
  Effect.map(call("GET", `/system/function/${name}`), (a) => json<{ replicas: number; availableReplicas: number }>(a))

/** `perSecond` invocations in each of `seconds` virtual seconds, all answered 200. */
const load = (name: string, perSecond: number, seconds: number) =>
  Effect.gen(function*() {
    for (let second = 0; second < seconds; second++) {
      for (let i = 0; i < perSecond; i++) {
        const answer = yield* call("GET", `/function/${name}`)
        assert.strictEqual(answer.status, 200, answer.text)
      }
      yield* TestClock.adjust("1 second")
    }
  })

/** Waits until the function's count, and its ready instances, are `replicas`. */
const replicasBecome = (name: string, replicas: number) =>
  eventually(status(name), (s) => s.replicas === replicas && s.availableReplicas === replicas)

describe("the autoscaler in the dev cluster", () => {
  it.effect("rps: ~40 req/s against target 5 takes a function to ≥ 3 replicas, and it comes back to 1 after", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      yield* deploy("busy", {
        "com.openfaas.scale.type": "rps",
        "com.openfaas.scale.target": "5",
        "com.openfaas.scale.min": "1",
        "com.openfaas.scale.max": "4"
      })
      // 40 req/s for two intervals (5 s each): 40 / (5 × 0.9) asks for 9, held to max 4.
      yield* load("busy", 40, 10)
      const risen = yield* eventually(status("busy"), (s) => s.replicas >= 3)
      assert.strictEqual(risen.replicas, 4)
      yield* replicasBecome("busy", 4)
      const up = logs.lines.find((l) => l.annotations["function"] === "busy" && l.annotations["reason"] === "load")
      assert.deepInclude(up?.annotations, { function: "busy", namespace: "default", from: 1, to: 4, reason: "load" })
      assert.strictEqual(up?.annotations["load"], 40)
      assert.include(up?.message, "busy.default 1 -> 4 replicas (load, load 40 rps)")

      // The load stops: the lower desire must last autoscaler_scale_down_delay (1 min) before it goes down.
      yield* TestClock.adjust("55 seconds")
      assert.strictEqual((yield* status("busy")).replicas, 4, "no scale down before the delay has passed")
      yield* TestClock.adjust("10 seconds")
      yield* replicasBecome("busy", 1)
      const metrics = (yield* call("GET", "/metrics")).text
      assert.include(
        metrics,
        `faas_nomad_autoscaler_decisions_total{function_name="busy",namespace="default",reason="load"} 2`
      )
      assert.include(metrics, `faas_nomad_function_desired_replicas{function_name="busy",namespace="default"} 1`)
      assert.include(metrics, `faas_nomad_function_load_per_replica{function_name="busy",namespace="default"} 0`)
    }).pipe(Effect.provide(testApp().pipe(Layer.provide(logs.layer))))
  })

  it.effect("zero: idle for zero-duration takes a function to 0, and the next invocation wakes it with 200", () =>
    Effect.gen(function*() {
      yield* deploy("sleepy", { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5s" })
      assert.strictEqual((yield* call("GET", "/function/sleepy")).status, 200)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* status("sleepy")).replicas, 1, "used in the first interval: not idle")
      yield* TestClock.adjust("5 seconds")
      yield* replicasBecome("sleepy", 0)
      const woken = yield* call("POST", "/function/sleepy", "wake up")
      assert.strictEqual(woken.status, 200)
      assert.strictEqual(json(woken).body, "wake up")
      assert.strictEqual((yield* status("sleepy")).replicas, 1)
      // Woken, it is used: the next interval keeps it.
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* status("sleepy")).replicas, 1)
    }).pipe(Effect.provide(testApp())))

  it.effect("a function that is not autoscaled is never scaled, however it is loaded or left idle", () =>
    Effect.gen(function*() {
      yield* deploy("plain", { "com.openfaas.scale.min": "2" })
      yield* load("plain", 40, 10)
      yield* TestClock.adjust("30 minutes")
      assert.strictEqual((yield* status("plain")).replicas, 2)
      assert.strictEqual((yield* call("POST", "/system/scale-function/plain", { replicas: 3 })).status, 202)
      yield* TestClock.adjust("30 minutes")
      assert.strictEqual((yield* status("plain")).replicas, 3)
    }).pipe(Effect.provide(testApp())))

  it.effect("a manual scale is honoured at once and taken as the count; the next decisions may move it", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      yield* deploy("manual", { "com.openfaas.scale.target": "5", "com.openfaas.scale.max": "6" })
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* call("POST", "/system/scale-function/manual", { replicas: 5 })).status, 202)
      assert.strictEqual((yield* status("manual")).replicas, 5)
      yield* TestClock.adjust("5 seconds")
      const adopted = logs.lines.find((l) => l.annotations["reason"] === "manual")
      assert.deepInclude(adopted?.annotations, { function: "manual", from: 1, to: 5, reason: "manual" })
      assert.strictEqual((yield* status("manual")).replicas, 5, "the manual count stands")
      // No load: after the scale-down delay it comes back to min.
      yield* TestClock.adjust("65 seconds")
      yield* replicasBecome("manual", 1)
    }).pipe(Effect.provide(testApp().pipe(Layer.provide(logs.layer))))
  })

  it.effect("capacity: invocations held in flight count, by their time-weighted mean over the window", () => {
    const fn = makeTestFunction()
    return Effect.gen(function*() {
      yield* deploy("held", { "com.openfaas.scale.type": "capacity", "com.openfaas.scale.target": "1" })
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* status("held")).replicas, 1, "nothing in flight: it stays at 1")
      // Three invocations that the function holds, in flight from now on.
      const port = yield* providerPort
      const held = Array.from({ length: 3 }, () => openRequest(port, "GET", "/function/held/hold"))
      for (const exchange of held) exchange.request.end()
      const resolver = yield* EndpointResolver
      yield* Effect.gen(function*() {
        yield* eventually(Effect.sync(() => resolver.peek("default/held")?.balancer.inflight), (n) => n === 3)
        // The window they started in, then one they fill from end to end: 3 in flight asks for ceil(3 / 0.9) = 4.
        yield* TestClock.adjust("5 seconds")
        yield* TestClock.adjust("5 seconds")
        assert.strictEqual((yield* eventually(status("held"), (s) => s.replicas === 4)).replicas, 4)
      }).pipe(
        // The server waits for invocations in flight when it stops: end them first.
        Effect.ensuring(Effect.sync(() => fn.controls.releaseHeld()))
      )
      for (const exchange of held) assert.strictEqual((yield* Effect.promise(() => exchange.response)).statusCode, 200)
    }).pipe(Effect.provide(testApp({ runner: fn.runner })))
  })

  it.effect("autoscaler=nomad leaves the scaling to the Nomad Autoscaler: the group has a Scaling block", () =>
    Effect.gen(function*() {
      yield* deploy("theirs", { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5s" })
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* status("theirs")).replicas, 1)
      const job = Option.getOrThrow(yield* (yield* Nomad).readJob("default", "OpenFaaS-theirs"))
      assert.deepInclude(job.TaskGroups?.[0]?.Scaling, { Min: 0, Max: 20, Enabled: true })
    }).pipe(Effect.provide(testApp({ env: { autoscaler: "nomad" } }))))

  it.effect("no replica leads before the provider serves: a start that fails scales nothing and logs no term", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      yield* deploy("early", { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5s" })
      yield* TestClock.adjust("1 hour")
      assert.isUndefined(logs.lines.find((l) => l.message === "autoscaler: this replica decides"))
      assert.strictEqual((yield* status("early")).replicas, 1)
      yield* (yield* Serving).markStarted
      yield* TestClock.adjust("10 seconds")
      assert.isDefined(logs.lines.find((l) => l.message === "autoscaler: this replica decides"))
      yield* replicasBecome("early", 0)
    }).pipe(Effect.provide(testApp().pipe(Layer.provideMerge(Serving.layer), Layer.provide(logs.layer))))
  })

  it.effect("autoscaler=off leaves even an autoscaled function alone", () =>
    Effect.gen(function*() {
      yield* deploy("off", { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5s" })
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* status("off")).replicas, 1)
    }).pipe(Effect.provide(testApp({ env: { autoscaler: "off" } }))))
})
