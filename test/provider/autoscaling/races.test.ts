/**
 * The autoscaler scales with check-and-set on the job version it decided on:
 * a manual scale or an update that lands between its decision and its write
 * wins, the autoscaler's write is refused and decided again, and no scale is
 * lost or made twice. An interloper slips the other write in just before the
 * autoscaler's own reaches the cluster.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { ProviderConfig } from "../../../src/config/ProviderConfig.ts"
import { FunctionDeployment } from "../../../src/domain/FunctionDeployment.ts"
import type { FunctionRef, NamespaceName } from "../../../src/domain/FunctionName.ts"
import { DevCluster } from "../../../src/layers/DevCluster.ts"
import * as EchoRunner from "../../../src/layers/memory/EchoRunner.ts"
import { Functions } from "../../../src/provider/Functions.ts"
import { ProviderServices } from "../../../src/provider/ProviderServices.ts"
import { Nomad } from "../../../src/services/Nomad.ts"

type NomadService = Nomad["Service"]

const labels = { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5s" }
const deployment = (image: string) => Schema.decodeUnknownSync(FunctionDeployment)({ service: "raced", image, labels })
const ref: FunctionRef = { name: deployment("x").service, namespace: "default" as NamespaceName }

/** Every scale through the provider that reached the cluster, in order; the interloper runs before the autoscaler's first. */
const racing = (interloper: (inner: NomadService) => Effect.Effect<unknown, unknown>) => {
  const applied: Array<{ readonly count: number; readonly by: "autoscaler" | "other" }> = []
  let raced = false
  const wrap = (inner: NomadService) =>
    Nomad.of({
      ...inner,
      scaleTaskGroup: (namespace, jobId, group, count, message, options) =>
        Effect.gen(function*() {
          const byAutoscaler = options?.enforceIndex !== undefined
          if (byAutoscaler && !raced) {
            raced = true
            yield* Effect.orDie(interloper(inner))
          }
          yield* inner.scaleTaskGroup(namespace, jobId, group, count, message, options)
          applied.push({ count, by: byAutoscaler ? "autoscaler" : "other" })
        })
    })
  const layer = ProviderServices.pipe(
    Layer.provide(Layer.effect(Nomad, Effect.map(Effect.service(Nomad), wrap))),
    Layer.provideMerge(DevCluster(EchoRunner.layer)),
    Layer.provideMerge(ProviderConfig.layerFromEnv({}))
  )
  return { applied, layer }
}

const count = Effect.gen(function*() {
  const nomad = yield* Nomad
  const job = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-raced"))
  return job.TaskGroups?.[0]?.Count
})

describe("the autoscaler racing other writers", () => {
  it.effect("a manual scale between its decision and its write wins; the autoscaler decides again", () => {
    const race = racing((inner) => inner.scaleTaskGroup("default", "OpenFaaS-raced", "raced", 3, "by hand"))
    return Effect.gen(function*() {
      const functions = yield* Functions
      yield* functions.deploy(deployment("x:1"), ref.namespace)
      // Idle from the first decision at 5 s: at 10 s it decides 0, and the manual scale to 3 lands first.
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* count, 3, "the manual scale stands; the autoscaler's 0 was refused")
      assert.deepStrictEqual(race.applied, [])
      // 15 s: the autoscaler takes 3 as the count, as if just used; 20 s: idle for 5 s, so 0.
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(yield* count, 3)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(yield* count, 0)
      assert.deepStrictEqual(race.applied, [{ count: 0, by: "autoscaler" }])
    }).pipe(Effect.provide(race.layer))
  })

  it.effect("an update between its decision and its write wins, and its count is kept", () => {
    const provider: { functions?: Functions["Service"] } = {}
    const race = racing(() => provider.functions!.update(deployment("x:2"), ref.namespace))
    return Effect.gen(function*() {
      const functions = provider.functions = yield* Functions
      yield* functions.deploy(deployment("x:1"), ref.namespace)
      yield* TestClock.adjust("10 seconds")
      const status = yield* functions.status(ref)
      assert.strictEqual(status.image, "x:2", "the update landed")
      assert.strictEqual(status.replicas, 1, "and the autoscaler's scale on the older version was refused")
      assert.deepStrictEqual(race.applied, [])
      // The next decision is made on the updated job: still idle, so 0.
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(yield* count, 0)
      assert.deepStrictEqual(race.applied, [{ count: 0, by: "autoscaler" }])
    }).pipe(Effect.provide(race.layer))
  })
})
