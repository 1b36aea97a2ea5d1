/** A start that fails leaves nothing behind: no directory, no subscription to secrets. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Schema } from "effect"
import { readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import * as ProcessRunner from "../../src/dev/ProcessRunner.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { MemorySecrets } from "../../src/layers/memory/MemorySecrets.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

describe("a dev allocation whose start fails", () => {
  it.effect("removes its directory and stops listening for secrets", () => {
    let subscribed = 0
    const secrets = Layer.succeed(MemorySecrets, {
      read: () => {
        throw new Error("the disk is full")
      },
      subscribe: () => {
        subscribed++
        return () => void subscribed--
      }
    })
    const cluster = MemoryCluster.layer.pipe(Layer.provide(ProcessRunner.layer), Layer.provide(secrets))
    return Effect.gen(function*() {
      const memory = yield* MemoryCluster
      const deployment = Schema.decodeUnknownSync(FunctionDeployment)({
        service: "reader",
        image: "functions/alpine:latest",
        envProcess: "cat",
        secrets: ["api-key"]
      })
      const job = toNomadJob(deployment, { namespace: "default", count: 1, createdAt: "" }, defaultJobSettings)
      assert.isTrue(Result.isSuccess(job))
      if (Result.isFailure(job)) return
      yield* memory.registerJob(job.success, {})
      yield* memory.settled
      const [alloc] = yield* memory.jobAllocations("default", job.success.ID)
      assert.strictEqual(alloc!.ClientStatus, "failed")
      assert.include(alloc!.ClientDescription ?? "", "the disk is full")
      assert.strictEqual(subscribed, 0, "the secrets subscription is gone")
      const prefix = `faas-nomad-dev-${alloc!.ID.slice(0, 8)}-`
      assert.deepStrictEqual(readdirSync(tmpdir()).filter((entry) => entry.startsWith(prefix)), [])
    }).pipe(Effect.provide(cluster))
  })
})
