import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Option, Result, Schema, Stream } from "effect"
import { UpstreamError } from "../../../src/domain/errors.ts"
import { FunctionDeployment } from "../../../src/domain/FunctionDeployment.ts"
import { toNomadJob } from "../../../src/jobs/toNomadJob.ts"
import type { JobListStub } from "../../../src/nomad/JobListStub.ts"
import { watchAutoscaledFunctions } from "../../../src/provider/autoscaling/AutoscaledFunctions.ts"
import type { Nomad } from "../../../src/services/Nomad.ts"
import { defaultJobSettings } from "../../support/jobSettings.ts"

const job = Result.getOrThrow(
  toNomadJob(
    Schema.decodeUnknownSync(FunctionDeployment)({
      service: "busy",
      image: "x:1",
      labels: { "com.openfaas.scale.target": "5" }
    }),
    { namespace: "default", count: 2, createdAt: "2026-12-06T10:00:00.000Z" },
    defaultJobSettings
  )
)
/** Listed without its Meta, as a job of an older provider: the view must read it to know its policy. */
const listed: ReadonlyArray<JobListStub> = [{ ID: job.ID, Namespace: "default", JobModifyIndex: 7 }]

/** A Nomad whose job list never moves, and whose reads of the job fail `failures` times first. */
const nomadWith = (failures: number) => {
  const reads = { count: 0 }
  const nomad = {
    watchJobs: () => Stream.concat(Stream.make(listed), Stream.never),
    readJob: () =>
      Effect.suspend(() =>
        ++reads.count <= failures
          ? Effect.fail(new UpstreamError({ dependency: "nomad", reason: "Unavailable", message: "down" }))
          : Effect.succeed(Option.some({ ...job, JobModifyIndex: 7 }))
      )
  } as unknown as Nomad["Service"]
  return { nomad, reads }
}

describe("the autoscaled functions' view", () => {
  it.effect("reads a job once while the list does not move", () =>
    Effect.gen(function*() {
      const { nomad, reads } = nomadWith(0)
      const view = yield* watchAutoscaledFunctions(nomad, defaultJobSettings, Duration.seconds(1))
      yield* Effect.yieldNow
      for (let i = 0; i < 3; i++) {
        const autoscaled = yield* view.current
        assert.deepStrictEqual(autoscaled.map((fn) => [fn.ref.name, fn.count, fn.jobModifyIndex]), [["busy", 2, 7]])
      }
      assert.strictEqual(reads.count, 1)
    }).pipe(Effect.scoped))

  it.effect("reads a job that could not be read again at the next decision, though the list has not moved", () =>
    Effect.gen(function*() {
      const { nomad, reads } = nomadWith(1)
      const view = yield* watchAutoscaledFunctions(nomad, defaultJobSettings, Duration.seconds(1))
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* view.current, [])
      assert.deepStrictEqual((yield* view.current).map((fn) => fn.ref.name), ["busy"])
      assert.strictEqual(reads.count, 2)
    }).pipe(Effect.scoped))
})
