import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { AllocationFailed, AllocationRunner } from "../../src/layers/memory/AllocationRunner.ts"
import * as EchoRunner from "../../src/layers/memory/EchoRunner.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import type { Job } from "../../src/nomad/Job.ts"

const job = (image: string, count: number): Job => ({
  ID: "svc",
  Namespace: "default",
  Type: "service",
  TaskGroups: [{
    Name: "svc",
    Count: count,
    Services: [{ Name: "svc-service", PortLabel: "http", Meta: { openfaas_namespace: "default" } }],
    Tasks: [{ Name: "svc", Driver: "docker", Config: { image } }]
  }]
})

const live = (allocs: ReadonlyArray<{ DesiredStatus?: string | null }>) =>
  allocs.filter((a) => a.DesiredStatus === "run")

const withCluster = <A, E>(
  body: Effect.Effect<A, E, MemoryCluster>,
  runner: Layer.Layer<AllocationRunner> = EchoRunner.layer
) => body.pipe(Effect.provide(MemoryCluster.layer.pipe(Layer.provide(runner))))

describe("the in-memory cluster", () => {
  it.live("places allocations that become running and healthy, and registers their services", () =>
    withCluster(Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      const registered = yield* cluster.registerJob(job("a:1", 2), {})
      const pending = yield* cluster.jobAllocations("default", "svc")
      assert.deepStrictEqual(pending.map((a) => a.ClientStatus), ["pending", "pending"])
      yield* cluster.settled
      const running = yield* cluster.jobAllocations("default", "svc")
      assert.deepStrictEqual(running.map((a) => [a.ClientStatus, a.DeploymentStatus?.Healthy]), [
        ["running", true],
        ["running", true]
      ])
      const instances = yield* cluster.healthyInstances("svc-service")
      assert.strictEqual(instances.length, 2)
      assert.deepStrictEqual(instances[0]!.meta, { openfaas_namespace: "default" })
      const stored = Option.getOrThrow(yield* cluster.readJob("default", "svc"))
      assert.strictEqual(stored.JobModifyIndex, registered.jobModifyIndex)
      assert.strictEqual(stored.Version, 0)
      assert.strictEqual(stored.Status, "running")
    })))

  it.live("enforces check-and-set with Nomad's messages", () =>
    withCluster(Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      const first = yield* cluster.registerJob(job("a:1", 1), { enforceIndex: 0 })
      const again = yield* Effect.flip(cluster.registerJob(job("a:1", 1), { enforceIndex: 0 }))
      assert.strictEqual(
        again._tag === "JobIndexConflict" && again.message,
        "Enforcing job modify index 0: job already exists"
      )
      const stale = yield* Effect.flip(cluster.registerJob(job("a:2", 1), { enforceIndex: first.jobModifyIndex + 99 }))
      assert.include(stale._tag === "JobIndexConflict" ? stale.message : "", "conflicting job modify index")
      const ok = yield* cluster.registerJob(job("a:2", 1), { enforceIndex: first.jobModifyIndex })
      assert.isTrue(ok.jobModifyIndex > first.jobModifyIndex)
      const missing = yield* Effect.flip(cluster.registerJob({ ...job("a", 1), ID: "other" }, { enforceIndex: 5 }))
      assert.include(missing._tag === "JobIndexConflict" ? missing.message : "", "job does not exist")
      yield* cluster.settled
    })))

  it.live("scaling keeps instances in place; a new spec rolls them over", () =>
    withCluster(Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      yield* cluster.registerJob(job("a:1", 1), {})
      yield* cluster.settled
      const [original] = yield* cluster.jobAllocations("default", "svc")
      yield* cluster.scaleTaskGroup("default", "svc", "svc", 3)
      yield* cluster.settled
      const scaled = live(yield* cluster.jobAllocations("default", "svc"))
      assert.strictEqual(scaled.length, 3)
      assert.isTrue(scaled.some((a) => (a as { ID: string }).ID === original!.ID))
      yield* cluster.registerJob(job("a:2", 3), { preserveCounts: true })
      yield* cluster.settled
      const rolled = yield* cluster.jobAllocations("default", "svc")
      assert.strictEqual(live(rolled).length, 3)
      assert.isFalse(live(rolled).some((a) => (a as { ID: string }).ID === original!.ID))
      assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 3)
      yield* cluster.scaleTaskGroup("default", "svc", "svc", 0)
      yield* cluster.settled
      assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 0)
      assert.strictEqual(Option.getOrThrow(yield* cluster.readJob("default", "svc")).Status, "dead")
    })))

  it.live("deregistering with purge removes the job, its allocations, its instances and its logs", () =>
    withCluster(Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      yield* cluster.registerJob(job("a:1", 2), {})
      yield* cluster.settled
      const allocId = (yield* cluster.jobAllocations("default", "svc"))[0]!.ID
      cluster.appendLog(allocId, "svc", "stdout", "hello\n")
      const logged = () => Stream.runCollect(cluster.allocationLogs(allocId, "svc", "stdout", { follow: false }))
      assert.strictEqual((yield* logged()).length, 1)
      yield* cluster.deregisterJob("default", "svc", true)
      yield* cluster.settled
      assert.isTrue(Option.isNone(yield* cluster.readJob("default", "svc")))
      assert.strictEqual((yield* cluster.jobAllocations("default", "svc")).length, 0)
      assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 0)
      assert.strictEqual((yield* logged()).length, 0)
      const scaled = yield* Effect.flip(cluster.scaleTaskGroup("default", "svc", "svc", 1))
      assert.strictEqual(scaled._tag, "JobNotFound")
    })))

  it.live("an allocation whose task fails to start is failed and gets no service instance", () =>
    withCluster(
      Effect.gen(function*() {
        const cluster = yield* MemoryCluster
        yield* cluster.registerJob(job("broken:1", 1), {})
        yield* cluster.settled
        const [alloc] = yield* cluster.jobAllocations("default", "svc")
        assert.strictEqual(alloc!.ClientStatus, "failed")
        assert.strictEqual(alloc!.TaskStates?.["svc"]?.Events?.[0]?.DisplayMessage, "image broken:1 not found")
        assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 0)
      }),
      Layer.succeed(AllocationRunner, {
        run: (spec) =>
          Effect.fail(
            new AllocationFailed({ allocId: spec.allocId, message: `image ${spec.task.Config?.["image"]} not found` })
          )
      })
    ))

  it.live("refuses jobs in unknown namespaces and jobs without groups", () =>
    withCluster(Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      const elsewhere = yield* Effect.flip(cluster.registerJob({ ...job("a", 1), Namespace: "nowhere" }, {}))
      assert.strictEqual(elsewhere._tag, "JobRejected")
      const empty = yield* Effect.flip(cluster.registerJob({ ID: "empty", TaskGroups: [] }, {}))
      assert.strictEqual(empty._tag, "JobRejected")
    })))

  it.effect("a task that dies is restarted in place after the restart policy's delay", () =>
    withCluster(
      Effect.gen(function*() {
        const cluster = yield* MemoryCluster
        yield* cluster.registerJob(
          restarting({ Attempts: 2, Interval: 300 * second, Delay: 5 * second, Mode: "delay" }),
          {}
        )
        yield* cluster.settled
        const [alloc] = yield* cluster.jobAllocations("default", "svc")
        mortal.kill(alloc!.ID, "exit status 137")
        yield* cluster.settled
        assert.deepStrictEqual(mortal.stopped, [alloc!.ID], "what was left of the task is stopped")
        const waiting = (yield* cluster.jobAllocations("default", "svc"))[0]!
        assert.deepStrictEqual([waiting.ID, waiting.ClientStatus], [alloc!.ID, "pending"])
        assert.strictEqual(waiting.TaskStates?.["svc"]?.Restarts, 1)
        assert.deepStrictEqual(waiting.TaskStates?.["svc"]?.Events?.slice(-2).map((e) => e.DisplayMessage), [
          "exit status 137",
          "Task restarting in 5s"
        ])
        assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 0)
        yield* TestClock.adjust("4 seconds")
        yield* cluster.settled
        assert.strictEqual(mortal.started.length, 1)
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        assert.strictEqual(mortal.started.length, 2)
        const back = (yield* cluster.jobAllocations("default", "svc"))[0]!
        assert.deepStrictEqual([back.ID, back.ClientStatus], [alloc!.ID, "running"])
        assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 1)
      }),
      mortal.layer
    ))

  it.effect("mode delay: past its attempts a task waits for the interval to end, and is never failed", () =>
    withCluster(
      Effect.gen(function*() {
        const cluster = yield* MemoryCluster
        yield* cluster.registerJob(
          restarting({ Attempts: 1, Interval: 60 * second, Delay: 1 * second, Mode: "delay" }),
          {}
        )
        yield* cluster.settled
        const id = (yield* cluster.jobAllocations("default", "svc"))[0]!.ID
        mortal.kill(id, "crashed")
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        mortal.kill(id, "crashed again")
        yield* cluster.settled
        const [waiting] = yield* cluster.jobAllocations("default", "svc")
        assert.strictEqual(waiting!.ClientStatus, "pending")
        assert.strictEqual(waiting!.TaskStates?.["svc"]?.Events?.at(-1)?.DisplayMessage, "Task restarting in 59s")
        yield* TestClock.adjust("58 seconds")
        yield* cluster.settled
        assert.strictEqual(mortal.started.length, 2)
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        assert.strictEqual(mortal.started.length, 3)
        assert.strictEqual((yield* cluster.jobAllocations("default", "svc"))[0]!.ClientStatus, "running")
      }),
      mortal.layer
    ))

  it.effect("mode fail: past its attempts the allocation fails, then is replaced after the reschedule delay", () =>
    withCluster(
      Effect.gen(function*() {
        const cluster = yield* MemoryCluster
        yield* cluster.registerJob(
          restarting({ Attempts: 1, Interval: 600 * second, Delay: 1 * second, Mode: "fail" }),
          {}
        )
        yield* cluster.settled
        const first = (yield* cluster.jobAllocations("default", "svc"))[0]!.ID
        mortal.kill(first, "crashed")
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        mortal.kill(first, "crashed again")
        yield* cluster.settled
        const [failed] = yield* cluster.jobAllocations("default", "svc")
        assert.deepStrictEqual([failed!.ClientStatus, failed!.DesiredStatus], ["failed", "run"])
        assert.deepStrictEqual(failed!.TaskStates?.["svc"]?.Events?.slice(-2).map((e) => e.DisplayMessage), [
          "crashed again",
          `Exceeded allowed attempts 1 in interval 10m0s and mode is "fail"`
        ])
        yield* TestClock.adjust("29 seconds")
        yield* cluster.settled
        assert.strictEqual((yield* cluster.jobAllocations("default", "svc")).length, 1, "not replaced yet")
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        const after = yield* cluster.jobAllocations("default", "svc")
        assert.deepStrictEqual(after.map((a) => [a.ID === first, a.DesiredStatus, a.ClientStatus]), [
          [true, "stop", "failed"],
          [false, "run", "running"]
        ])
        assert.strictEqual((yield* cluster.healthyInstances("svc-service")).length, 1)
      }),
      mortal.layer
    ))

  it.effect("a start that can never succeed fails at once; its replacements wait 30 s, then twice as long", () =>
    withCluster(
      Effect.gen(function*() {
        const cluster = yield* MemoryCluster
        yield* cluster.registerJob(job("broken:1", 1), {})
        yield* cluster.settled
        const count = () => Effect.map(cluster.jobAllocations("default", "svc"), (all) => all.length)
        assert.strictEqual(yield* count(), 1)
        yield* TestClock.adjust("30 seconds")
        yield* cluster.settled
        assert.strictEqual(yield* count(), 2)
        yield* TestClock.adjust("59 seconds")
        yield* cluster.settled
        assert.strictEqual(yield* count(), 2)
        yield* TestClock.adjust("1 second")
        yield* cluster.settled
        const all = yield* cluster.jobAllocations("default", "svc")
        assert.deepStrictEqual(all.map((a) => [a.DesiredStatus, a.ClientStatus]), [
          ["stop", "failed"],
          ["stop", "failed"],
          ["run", "failed"]
        ])
      }),
      Layer.succeed(AllocationRunner, {
        run: (spec) => Effect.fail(new AllocationFailed({ allocId: spec.allocId, message: "cannot run here" }))
      })
    ))
})

const second = 1_000_000_000

const restarting = (policy: NonNullable<NonNullable<Job["TaskGroups"]>[number]["RestartPolicy"]>): Job => {
  const base = job("a:1", 1)
  return { ...base, TaskGroups: base.TaskGroups!.map((g) => ({ ...g, RestartPolicy: policy })) }
}

/** Tasks the test kills: each start is counted, each stop too, and `kill` is the task dying. */
const mortal = (() => {
  const died = new Map<string, (message: string) => void>()
  const state = {
    started: [] as Array<string>,
    stopped: [] as Array<string>,
    kill: (allocId: string, message: string) => died.get(allocId)!(message),
    layer: Layer.effect(
      AllocationRunner,
      Effect.sync(() => {
        state.started.length = 0
        state.stopped.length = 0
        return AllocationRunner.of({
          run: (spec) =>
            Effect.acquireRelease(
              Effect.sync(() => {
                died.set(spec.allocId, spec.died)
                state.started.push(spec.allocId)
                return { address: "127.0.0.1", port: 1 }
              }),
              () => Effect.sync(() => void state.stopped.push(spec.allocId))
            )
        })
      })
    )
  }
  return state
})()
