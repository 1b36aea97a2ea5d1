/**
 * A single-node Nomad cluster with its service catalog, in memory: jobs with
 * versions and check-and-set (`JobStore`), allocations placed by a small
 * scheduler (`reconcile`) and run by an `AllocationRunner` (`Allocations`),
 * service instances registered once healthy (`ServiceCatalog`), and task
 * logs (`TaskLogs`). `NomadMemory` and `DiscoveryMemory` are views of it, as
 * Nomad and Consul are views of one real cluster. State changes are
 * synchronous, so each operation is atomic; only running and stopping tasks
 * happens in fibers, and waiting to restart or replace one in timers.
 */
import { Clock, Context, Duration, Effect, FiberSet, Layer, Queue, Stream } from "effect"
import type { Job } from "../../nomad/Job.ts"
import type { JobListStub } from "../../nomad/JobListStub.ts"
import type { RegisterOptions } from "../../services/Nomad.ts"
import { AllocationRunner } from "./AllocationRunner.ts"
import { Allocations } from "./Allocations.ts"
import { JobStore } from "./JobStore.ts"
import { ServiceCatalog } from "./ServiceCatalog.ts"
import { type LogStream, TaskLogs } from "./TaskLogs.ts"

const nowNanos = Clock.currentTimeNanos.pipe(Effect.map(Number))

export const make = Effect.gen(function*() {
  const runner = yield* AllocationRunner
  const fibers = yield* FiberSet.make()
  const run = yield* FiberSet.runtime(fibers)<never>()
  // Waits for restarts and replacements: apart, so that `settled` does not wait for them.
  const timers = yield* FiberSet.make()
  const runTimer = yield* FiberSet.runtime(timers)<never>()
  const scope = yield* Effect.scope

  let index = 1
  const nextIndex = () => ++index
  const catalog = new ServiceCatalog()
  const logs = new TaskLogs()
  const allocations: Allocations = new Allocations({
    runner,
    run: (effect) => {
      run(effect)
    },
    later: (delayNanos, effect) => {
      runTimer(Effect.andThen(Effect.sleep(Duration.millis(delayNanos / 1e6)), effect))
    },
    scope,
    nextIndex,
    catalog,
    logs,
    reconcile: (namespace, jobId, now) => jobs.reconcileStored(namespace, jobId, now)
  })
  const jobs = new JobStore(nextIndex, allocations)
  /** Told of every job written, scaled or removed: what `watchJobs` waits on. */
  const jobWatchers = new Set<() => void>()
  const jobsChanged = <A, E>(write: Effect.Effect<A, E>) =>
    Effect.tap(write, () =>
      Effect.sync(() => {
        for (const watcher of jobWatchers) watcher()
      }))
  const allJobs = (prefix: string) => jobs.listNamespaces().flatMap((ns) => jobs.list(ns.Name, prefix))

  return {
    registerJob: (job: Job, options: RegisterOptions) =>
      jobsChanged(Effect.flatMap(nowNanos, (now) => jobs.register(job, options, now))),
    readJob: (namespace: string, id: string) => Effect.sync(() => jobs.read(namespace, id)),
    listJobs: (namespace: string, prefix: string) => Effect.sync(() => jobs.list(namespace, prefix)),
    /** Every namespace's jobs whose ID starts with `prefix`: now, then after each job written, scaled or removed. */
    watchJobs: (prefix: string) =>
      Stream.callback<ReadonlyArray<JobListStub>>((queue) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const watcher = () => Queue.offerUnsafe(queue, allJobs(prefix))
            watcher()
            jobWatchers.add(watcher)
            return watcher
          }),
          (watcher) => Effect.sync(() => jobWatchers.delete(watcher))
        ), { bufferSize: 1, strategy: "sliding" }),
    deregisterJob: (namespace: string, id: string, purge: boolean) =>
      jobsChanged(Effect.flatMap(nowNanos, (now) => Effect.sync(() => jobs.deregister(namespace, id, purge, now)))),
    scaleTaskGroup: (namespace: string, id: string, group: string, count: number, enforceIndex?: number) =>
      jobsChanged(Effect.flatMap(nowNanos, (now) => jobs.scale(namespace, id, group, count, now, enforceIndex))),
    jobAllocations: (namespace: string, id: string) =>
      Effect.sync(() => allocations.ofJob(namespace, id).map((a) => a.stub)),
    readNamespace: (name: string) => Effect.sync(() => jobs.readNamespace(name)),
    listNamespaces: Effect.sync(() => jobs.listNamespaces()),
    createNamespace: (name: string, meta: Readonly<Record<string, string>> = {}) =>
      Effect.sync(() => jobs.createNamespace(name, meta)),
    /** Healthy instances right now, synchronously: for watchers called back on a change. */
    healthyInstancesNow: (service?: string) => catalog.healthy(service),
    healthyInstances: (service: string) => Effect.sync(() => catalog.healthy(service)),
    /** As a failing or recovering health check would: for tests. */
    setAllocationHealth: (allocId: string, healthy: boolean) =>
      Effect.sync(() => catalog.setAllocationHealth(allocId, healthy)),
    /** Tells `listener` of every change; it compares for itself. Returns the unsubscribe. */
    subscribe: (listener: () => void) => catalog.subscribe(listener),
    appendLog: (allocId: string, task: string, stream: LogStream, text: string) =>
      logs.append(allocId, task, stream, text),
    allocationLogs: (
      allocId: string,
      task: string,
      stream: LogStream,
      options: { readonly follow: boolean; readonly fromEndBytes?: number | undefined }
    ): Stream.Stream<Uint8Array> => logs.read(allocId, task, stream, options, () => allocations.isRunning(allocId)),
    /** Waits until every task start and stop under way has finished: deterministic tests need no sleeps. */
    settled: FiberSet.awaitEmpty(fibers)
  }
})

export class MemoryCluster extends Context.Service<MemoryCluster, Effect.Success<typeof make>>()(
  "faas-nomad/MemoryCluster"
) {
  static readonly layer: Layer.Layer<MemoryCluster, never, AllocationRunner> = Layer.effect(MemoryCluster, make)
}
