/** What the autoscaler asks of the live Nomad client: scale with check-and-set, and the watched job list. */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Option, Queue, Result, Schema, Stream } from "effect"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"

const settings = jobSettingsFrom(Result.getOrThrow(settingsFromEnv({})))

const jobFor = (service: string, namespace = "default") =>
  Result.getOrThrow(
    toNomadJob(
      Schema.decodeUnknownSync(FunctionDeployment)({ service, image: "functions/alpine:latest" }),
      { namespace, count: 1, createdAt: "2026-11-29T00:00:00Z" },
      settings
    )
  )

const withNomad = <A, E>(body: (sim: Simulator) => Effect.Effect<A, E, Nomad>) =>
  Effect.gen(function*() {
    const sim = yield* NomadSimulator.scoped()
    const layer = NomadHttp.layer.pipe(
      Layer.provide(NomadApiClient.layer),
      Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s" }))
    )
    return yield* body(sim).pipe(Effect.provide(layer))
  })

type Simulator = Effect.Success<ReturnType<typeof NomadSimulator.scoped>>

describe("the Nomad client, for the autoscaler", () => {
  it.live("a scale with an enforced index applies on that version only; another is JobIndexConflict", () =>
    withNomad(() =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        const { jobModifyIndex } = yield* nomad.registerJob(jobFor("cas"), { enforceIndex: 0 })
        yield* nomad.scaleTaskGroup("default", "OpenFaaS-cas", "cas", 2, "by hand")
        const stale = yield* nomad.scaleTaskGroup("default", "OpenFaaS-cas", "cas", 5, "autoscaler", {
          enforceIndex: jobModifyIndex
        }).pipe(Effect.flip)
        assert.strictEqual(stale._tag, "JobIndexConflict")
        assert.match(
          stale.message,
          new RegExp(
            `^Enforcing job modify index ${jobModifyIndex}: job exists with conflicting job modify index: \\d+`
          )
        )
        const current = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-cas"))
        assert.strictEqual(current.TaskGroups?.[0]?.Count, 2, "the refused scale changed nothing")
        yield* nomad.scaleTaskGroup("default", "OpenFaaS-cas", "cas", 5, "autoscaler", {
          enforceIndex: current.JobModifyIndex ?? 0
        })
        const scaled = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-cas"))
        assert.strictEqual(scaled.TaskGroups?.[0]?.Count, 5)
      })
    ))

  it.live("watches every namespace's jobs: a first list, then one when a job changes, not when allocations do", () =>
    withNomad((sim) =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        sim.state.createNamespace("team-a", { openfaas: "true" })
        yield* nomad.registerJob(jobFor("one"), { enforceIndex: 0 })
        yield* nomad.registerJob(jobFor("two", "team-a"), { enforceIndex: 0 })
        const lists = yield* Queue.unbounded<ReadonlyArray<{ readonly ID: string; readonly JobModifyIndex: number }>>()
        const fiber = yield* nomad.watchJobs("OpenFaaS-", Duration.millis(10)).pipe(
          Stream.runForEach((stubs) =>
            Queue.offer(
              lists,
              stubs.map((s) => ({ ID: `${s.Namespace}/${s.ID}`, JobModifyIndex: s.JobModifyIndex ?? 0 }))
            )
          ),
          Effect.forkChild
        )
        const first = yield* Queue.take(lists)
        assert.deepStrictEqual(first.map((s) => s.ID), ["default/OpenFaaS-one", "team-a/OpenFaaS-two"])
        assert.isTrue(first.every((s) => typeof s.JobModifyIndex === "number" && s.JobModifyIndex > 0))
        // Allocations starting move the list's index, but no job changed: nothing new is emitted.
        yield* Effect.promise(() => sim.settled())
        const alloc = sim.state.allocations().find((a) => a.JobID === "OpenFaaS-one")!
        sim.state.setAllocationHealth(alloc.ID, false)
        yield* nomad.scaleTaskGroup("team-a", "OpenFaaS-two", "two", 3, "scaled")
        const next = yield* Queue.take(lists)
        const two = next.find((s) => s.ID === "team-a/OpenFaaS-two")!
        assert.isTrue(two.JobModifyIndex > first[1]!.JobModifyIndex)
        assert.strictEqual(Option.isNone(yield* Queue.poll(lists)), true)
        yield* Fiber.interrupt(fiber)
      })
    ))
})
