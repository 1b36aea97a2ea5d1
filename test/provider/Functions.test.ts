import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { ConcurrentModification } from "../../src/domain/errors.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import type { NamespaceName } from "../../src/domain/FunctionName.ts"
import { jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { DevCluster } from "../../src/layers/DevCluster.ts"
import * as EchoRunner from "../../src/layers/memory/EchoRunner.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { Functions } from "../../src/provider/Functions.ts"
import { JobIndexConflict, Nomad, ScaleBlocked } from "../../src/services/Nomad.ts"

type NomadService = Nomad["Service"]

const settings = jobSettingsFrom(Result.getOrThrow(settingsFromEnv({})))
const deployment = (image: string) =>
  Schema.decodeUnknownSync(FunctionDeployment)({ service: "raced", image, envVars: { image } })
const ns = "default" as NamespaceName
const ref = { name: deployment("x").service, namespace: ns }

/** Runs `interloper` just before the first check-and-set write: another writer slipping in after our read. */
const racing = (interloper: (inner: NomadService) => Effect.Effect<unknown, unknown>) => (inner: NomadService) => {
  let raced = false
  return Nomad.of({
    ...inner,
    registerJob: (job, options) =>
      Effect.gen(function*() {
        if (!raced && options.enforceIndex !== undefined && options.enforceIndex > 0) {
          raced = true
          yield* Effect.orDie(interloper(inner))
        }
        return yield* inner.registerJob(job, options)
      })
  })
}

/** Nomad refusing to scale during a deployment, which sends the provider to its check-and-set fallback. */
const scaleBlocked = (inner: NomadService) =>
  Nomad.of({
    ...inner,
    scaleTaskGroup: (_namespace, jobId) =>
      Effect.fail(new ScaleBlocked({ jobId, message: "job scaling blocked due to active deployment" }))
  })

const withNomad = (wrap: (inner: NomadService) => NomadService) =>
  Functions.layer.pipe(
    Layer.provide(EndpointResolver.layer),
    Layer.provide(Layer.effect(Nomad, Effect.map(Effect.service(Nomad), wrap))),
    Layer.provideMerge(DevCluster(EchoRunner.layer)),
    Layer.provideMerge(ProviderConfig.layerFromEnv({}))
  )

const readJob = Effect.flatMap(
  Effect.service(Nomad),
  (nomad) => Effect.map(nomad.readJob("default", "OpenFaaS-raced"), Option.getOrThrow)
)

describe("Functions writes are check-and-set", () => {
  it.live("a scale that lands between an update's read and write is not undone", () =>
    Effect.gen(function*() {
      const functions = yield* Functions
      yield* functions.deploy(deployment("img:1"), ns)
      yield* functions.update(deployment("img:2"), ns)
      const status = yield* functions.status(ref)
      assert.strictEqual(status.image, "img:2")
      assert.strictEqual(status.replicas, 5)
    }).pipe(
      Effect.provide(
        withNomad(racing((inner) => inner.scaleTaskGroup("default", "OpenFaaS-raced", "raced", 5, "interloper")))
      )
    ))

  it.live("an update that lands between a scale fallback's read and write is kept", () =>
    Effect.gen(function*() {
      const functions = yield* Functions
      yield* functions.deploy(deployment("img:1"), ns)
      yield* functions.scale(ref, 5)
      const status = yield* functions.status(ref)
      assert.strictEqual(status.image, "img:3")
      assert.strictEqual(status.replicas, 5)
    }).pipe(Effect.provide(withNomad((inner) =>
      scaleBlocked(
        racing((nomad) => {
          const update = toNomadJob(deployment("img:3"), { namespace: "default", count: 1, createdAt: "t" }, settings)
          return nomad.registerJob(Result.getOrThrow(update), {})
        })(inner)
      )
    ))))

  it.effect("a function that keeps changing: 8 tries with backoff, then ConcurrentModification", () => {
    let conflicts = 0
    const alwaysRaced = (inner: NomadService) =>
      Nomad.of({
        ...inner,
        registerJob: (job, options) =>
          options.enforceIndex !== undefined && options.enforceIndex > 0
            ? Effect.suspend(() => {
              conflicts++
              return Effect.fail(new JobIndexConflict({ jobId: job.ID, message: "Enforcing job modify index" }))
            })
            : inner.registerJob(job, options)
      })
    return Effect.gen(function*() {
      const functions = yield* Functions
      yield* functions.deploy(deployment("img:1"), ns)
      const fiber = yield* Effect.forkChild(Effect.flip(functions.update(deployment("img:2"), ns)))
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(conflicts, 1, "the second try waits")
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(conflicts, 8)
      assert.deepStrictEqual(error, new ConcurrentModification({ kind: "function", ...ref }))
    }).pipe(Effect.provide(withNomad(alwaysRaced)))
  })

  it.live("many concurrent updates and scales all land, with no lost write", () =>
    Effect.gen(function*() {
      const functions = yield* Functions
      yield* functions.deploy(deployment("img:0"), ns)
      const before = (yield* readJob).Version ?? 0
      const updates = Array.from({ length: 10 }, (_, i) => functions.update(deployment(`img:${i + 1}`), ns))
      const scales = Array.from({ length: 10 }, (_, i) => functions.scale(ref, i + 1))
      yield* Effect.all([...updates, ...scales], { concurrency: "unbounded" })
      assert.strictEqual(((yield* readJob).Version ?? 0) - before, 20)
      yield* Effect.flatMap(Effect.service(MemoryCluster), (c) => c.settled)
    }).pipe(Effect.provide(withNomad((inner) => inner))))
})
