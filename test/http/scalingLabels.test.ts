/** Autoscaling labels through the API: a label that cannot be read is a 400 naming it, at deploy and at update. */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, json } from "../support/http.ts"
import { settled, testApp } from "../support/testApp.ts"

const deployment = (service: string, labels: Record<string, string>) => ({ service, image: "test/fn:1", labels })

layer(testApp({ env: { max_replicas: "10" } }), { excludeTestServices: true })("scaling labels", (it) => {
  it.effect("a deploy with labels that cannot be read is a 400 listing each label", () =>
    Effect.gen(function*() {
      const answer = yield* call(
        "POST",
        "/system/functions",
        deployment("bad-labels", {
          "com.openfaas.scale.type": "foo",
          "com.openfaas.scale.target": "0",
          "com.openfaas.scale.target-proportion": "2",
          "com.openfaas.scale.zero-duration": "soon"
        })
      )
      assert.strictEqual(answer.status, 400)
      assert.deepStrictEqual(answer.text.trim().split("\n"), [
        `labels: com.openfaas.scale.type must be one of rps, capacity, cpu, got "foo"`,
        `labels: com.openfaas.scale.target must be a number above 0, got "0"`,
        `labels: com.openfaas.scale.target-proportion must be a number above 0 and at most 1, got "2"`,
        `labels: com.openfaas.scale.zero-duration must be a duration above zero such as 30s or 15m, got "soon"`
      ])
      assert.strictEqual((yield* call("GET", "/system/function/bad-labels")).status, 404)
    }))

  it.effect("an update with max below min, or above max_replicas, is a 400 and changes nothing", () =>
    Effect.gen(function*() {
      const good = deployment("bounded", { "com.openfaas.scale.type": "rps", "com.openfaas.scale.max": "4" })
      assert.strictEqual((yield* call("POST", "/system/functions", good)).status, 202)
      yield* settled
      const inverted = yield* call(
        "PUT",
        "/system/functions",
        deployment("bounded", {
          "com.openfaas.scale.type": "rps",
          "com.openfaas.scale.min": "3",
          "com.openfaas.scale.max": "2"
        })
      )
      assert.strictEqual(inverted.status, 400)
      assert.strictEqual(
        inverted.text.trim(),
        "labels: com.openfaas.scale.max (2) must be at least com.openfaas.scale.min (3)"
      )
      const tooMany = yield* call(
        "PUT",
        "/system/functions",
        deployment("bounded", { "com.openfaas.scale.target": "5", "com.openfaas.scale.max": "11" })
      )
      assert.strictEqual(tooMany.status, 400)
      assert.strictEqual(
        tooMany.text.trim(),
        "labels: com.openfaas.scale.max must be at most 10 (max_replicas), got 11"
      )
      assert.strictEqual(json(yield* call("GET", "/system/function/bounded")).labels["com.openfaas.scale.max"], "4")
    }))

  it.effect("a function that is not autoscaled keeps today's labels: min above the default max is fine", () =>
    Effect.gen(function*() {
      const answer = yield* call("POST", "/system/functions", deployment("manual", { "com.openfaas.scale.min": "3" }))
      assert.strictEqual(answer.status, 202, answer.text)
      yield* settled
      assert.strictEqual(json(yield* call("GET", "/system/function/manual")).replicas, 3)
    }))
})
