import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Queue, Result, Schema, Stream } from "effect"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import type { FunctionRef } from "../../src/domain/FunctionName.ts"
import { jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import * as DiscoveryNomad from "../../src/layers/nomad/DiscoveryNomad.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import { Discovery, type Endpoint } from "../../src/services/Discovery.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"

const env = { service_discovery: "nomad" }
const settings = jobSettingsFrom(Result.getOrThrow(settingsFromEnv(env)))
const job = (service: string, count: number) =>
  Result.getOrThrow(toNomadJob(
    Schema.decodeUnknownSync(FunctionDeployment)({ service, image: "x:1", labels: { "com.openfaas.timeout": "30s" } }),
    { namespace: "default", count, createdAt: "t" },
    settings
  ))

describe("discovery through Nomad's native services", () => {
  it.live("a watch gives the registrations of healthy running allocations, and follows scaling and health", () =>
    Effect.gen(function*() {
      const sim = yield* NomadSimulator.scoped()
      const layer = Layer.mergeAll(DiscoveryNomad.layer, NomadHttp.layer).pipe(
        Layer.provideMerge(NomadApiClient.layer),
        Layer.provideMerge(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, ...env }))
      )
      yield* Effect.gen(function*() {
        const nomad = yield* Nomad
        const discovery = yield* Discovery
        yield* nomad.registerJob(job("native", 2), {})
        yield* Effect.promise(() => sim.settled())
        const answers = yield* Queue.unbounded<ReadonlyArray<Endpoint>>()
        yield* Effect.forkScoped(Stream.runForEach(
          discovery.watch({ name: "native", namespace: "default" } as FunctionRef),
          (endpoints) => Queue.offer(answers, endpoints)
        ))
        const first = yield* Queue.take(answers)
        assert.strictEqual(first.length, 2)
        assert.isTrue(first.every((e) => e.tags.includes("openfaas-timeout=30000ms")))
        const [unhealthy] = sim.state.allocations().filter((a) => a["JobID"] === "OpenFaaS-native")
        sim.state.setAllocationHealth(unhealthy!.ID, false)
        const afterHealth = yield* Queue.take(answers)
        assert.strictEqual(afterHealth.length, 1)
        assert.isFalse(afterHealth.some((e) => e.id.includes(unhealthy!.ID)))
        yield* nomad.scaleTaskGroup("default", "OpenFaaS-native", "native", 4, "test")
        let latest = afterHealth
        while (latest.length < 3) latest = yield* Queue.take(answers)
        assert.strictEqual(latest.length, 3)
        const counts = yield* discovery.readyCounts("default" as FunctionRef["namespace"])
        assert.strictEqual(counts.get("native"), 3)
      }).pipe(Effect.provide(layer))
    }))
})
