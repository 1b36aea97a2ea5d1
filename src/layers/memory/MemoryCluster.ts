/**
 * A single-node Nomad cluster with its service catalog, in memory: jobs with
 * versions and check-and-set, allocations placed by a small reconciler, run
 * by an `AllocationRunner`, and service instances registered once healthy.
 * `NomadMemory` and `DiscoveryMemory` are views of it, as Nomad and Consul
 * are views of one real cluster. State changes are synchronous, so each
 * operation is atomic; only running and stopping tasks happens in fibers.
 */
import { Clock, Context, Effect, Exit, FiberSet, Layer, Option, Queue, Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import type { AllocationListStub, TaskState } from "../../nomad/Allocation.ts"
import type { Job, TaskGroup } from "../../nomad/Job.ts"
import type { JobListStub, TaskGroupSummary } from "../../nomad/JobListStub.ts"
import type { Namespace } from "../../nomad/Namespace.ts"
import type { RegisterOptions } from "../../services/Nomad.ts"
import { AllocationRunner } from "./AllocationRunner.ts"
import { devClusterRefusal } from "./devClusterLimits.ts"

export interface ServiceInstance {
  readonly id: string
  readonly service: string
  readonly namespace: string
  readonly allocId: string
  readonly address: string
  readonly port: number
  readonly tags: ReadonlyArray<string>
  readonly meta: Readonly<Record<string, string>>
  healthy: boolean
}

interface Allocation {
  stub: AllocationListStub
  readonly specKey: string
  readonly index: number
  readonly scope: Scope.Closeable
}

/** One task's stdout or stderr, with the followers waiting for more. */
interface LogFile {
  text: string
  readonly followers: Set<(chunk: string | undefined) => void>
}

export type ClusterFailure =
  | { readonly _tag: "IndexConflict"; readonly message: string }
  | { readonly _tag: "Rejected"; readonly message: string }
  | { readonly _tag: "JobNotFound" }

const key = (namespace: string, id: string) => `${namespace}\u0000${id}`

/** What decides whether an allocation must be replaced: the group without its count, and placement. */
const specKeyOf = (job: Job, group: TaskGroup) =>
  JSON.stringify([{ ...group, Count: undefined }, job.Datacenters, job.Constraints])

const validate = (job: Job): string | undefined => {
  if (job.ID === "") return "Job ID hasn't been provided"
  if (job.TaskGroups == null || job.TaskGroups.length === 0) return "1 error occurred:\n\t* Missing job task groups\n\n"
  for (const group of job.TaskGroups) {
    if ((group.Count ?? 1) < 0) return `1 error occurred:\n\t* Task group ${group.Name} count can't be negative\n\n`
    if (group.Tasks.length === 0) return `1 error occurred:\n\t* Missing tasks for task group ${group.Name}\n\n`
  }
  return devClusterRefusal(job)
}

export const make = Effect.gen(function*() {
  const runner = yield* AllocationRunner
  const fibers = yield* FiberSet.make()
  const run = yield* FiberSet.runtime(fibers)<never>()
  const clusterScope = yield* Effect.scope

  let index = 1
  const namespaces = new Map<string, Namespace>([["default", {
    Name: "default",
    Description: "Default shared namespace"
  }]])
  const jobs = new Map<string, Job>()
  const allocations = new Map<string, Allocation>()
  const instances = new Map<string, ServiceInstance>()

  /** Each allocation's task logs by `task/stream`, with the followers waiting for more; purged with it. */
  const logs = new Map<string, Map<string, LogFile>>()
  const logFile = (allocId: string, task: string, stream: string) => {
    let files = logs.get(allocId)
    if (files === undefined) logs.set(allocId, files = new Map())
    let file = files.get(`${task}/${stream}`)
    if (file === undefined) files.set(`${task}/${stream}`, file = { text: "", followers: new Set() })
    return file
  }
  const appendLog = (allocId: string, task: string, stream: "stdout" | "stderr", text: string) => {
    const file = logFile(allocId, task, stream)
    file.text += text
    for (const follower of file.followers) follower(text)
  }
  /** A stopped task writes no more: its followers' streams end. */
  const closeLogs = (allocId: string) => {
    for (const file of logs.get(allocId)?.values() ?? []) {
      for (const follower of file.followers) follower(undefined)
      file.followers.clear()
    }
  }

  const listeners = new Set<() => void>()
  /** Tells watchers (the in-memory discovery) that something may have changed; they compare for themselves. */
  const changed = () => {
    for (const listener of listeners) listener()
  }

  const nowNanos = Clock.currentTimeNanos.pipe(Effect.map(Number))
  const track = <A, E>(effect: Effect.Effect<A, E>) => {
    run(effect as Effect.Effect<unknown, unknown>)
  }

  const groupAllocations = (job: Job, group: string) =>
    [...allocations.values()].filter((a) =>
      a.stub.Namespace === job.Namespace && a.stub.JobID === job.ID && a.stub.TaskGroup === group &&
      a.stub.DesiredStatus === "run"
    )

  const update = (alloc: Allocation, changes: Partial<AllocationListStub>, now: number) => {
    alloc.stub = { ...alloc.stub, ...changes, ModifyIndex: ++index, ModifyTime: now }
    changed()
  }

  const taskStates = (job: Job, group: string, state: TaskState): Record<string, TaskState> => {
    const g = job.TaskGroups?.find((tg) => tg.Name === group)
    return Object.fromEntries((g?.Tasks ?? []).map((t) => [t.Name, state]))
  }

  /** The allocation serves no more: its instances leave the catalog and its log followers' streams end. */
  const detach = (alloc: Allocation) => {
    for (const [id, instance] of instances) if (instance.allocId === alloc.stub.ID) instances.delete(id)
    closeLogs(alloc.stub.ID)
  }

  /** The allocation failed, as a Nomad client reports it; `how` is the event's type (and the driver's error). */
  const markFailed = (
    alloc: Allocation,
    job: Job,
    group: TaskGroup,
    message: string,
    how: { readonly Type: string; readonly DriverError?: string },
    now: number
  ) =>
    update(alloc, {
      ClientStatus: "failed",
      ClientDescription: message,
      DeploymentStatus: { Healthy: false },
      TaskStates: taskStates(job, group.Name, {
        State: "dead",
        Failed: true,
        Restarts: 0,
        Events: [{ ...how, Time: now, DisplayMessage: message }]
      })
    }, now)

  const stopAllocation = (alloc: Allocation, now: number) => {
    detach(alloc)
    const wasRunning = alloc.stub.ClientStatus === "running" || alloc.stub.ClientStatus === "pending"
    update(alloc, {
      DesiredStatus: "stop",
      ClientStatus: wasRunning ? "complete" : alloc.stub.ClientStatus ?? "complete",
      TaskStates: Object.fromEntries(
        Object.entries(alloc.stub.TaskStates ?? {}).map(([task, s]) => [task, { ...s, State: "dead" }])
      )
    }, now)
    track(Scope.close(alloc.scope, Exit.void))
  }

  const placeAllocation = (job: Job, group: TaskGroup, specKey: string, slot: number, now: number) => {
    const allocId = randomUUID()
    const scope = Scope.forkUnsafe(clusterScope, "sequential")
    const alloc: Allocation = {
      specKey,
      index: slot,
      scope,
      stub: {
        ID: allocId,
        Name: `${job.ID}.${group.Name}[${slot}]`,
        Namespace: job.Namespace ?? "default",
        NodeID: "memory-node",
        NodeName: "memory",
        JobID: job.ID,
        JobVersion: job.Version ?? 0,
        TaskGroup: group.Name,
        DesiredStatus: "run",
        ClientStatus: "pending",
        TaskStates: taskStates(job, group.Name, { State: "pending", Failed: false, Restarts: 0 }),
        CreateIndex: ++index,
        ModifyIndex: index,
        CreateTime: now,
        ModifyTime: now
      }
    }
    allocations.set(allocId, alloc)
    const task = group.Tasks[0]!
    track(
      runner.run({
        allocId,
        namespace: alloc.stub.Namespace!,
        job,
        group,
        task,
        log: (stream, text) => appendLog(allocId, task.Name, stream, text),
        died: (message) =>
          run(Effect.flatMap(nowNanos, (at) => Effect.sync(() => died(alloc, job, group, message, at))))
      }).pipe(
        Scope.provide(scope),
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.flatMap(nowNanos, (at) => Effect.sync(() => started(alloc, job, group, exit, at)))
        )
      )
    )
  }

  /** A task that was running died: its allocation fails, as a Nomad client reports it. */
  const died = (alloc: Allocation, job: Job, group: TaskGroup, message: string, now: number) => {
    if (alloc.stub.DesiredStatus !== "run") return
    detach(alloc)
    markFailed(alloc, job, group, message, { Type: "Terminated" }, now)
  }

  const started = (
    alloc: Allocation,
    job: Job,
    group: TaskGroup,
    exit: Exit.Exit<{ readonly address: string; readonly port: number }, { readonly message: string }>,
    now: number
  ) => {
    if (alloc.stub.DesiredStatus !== "run") return
    const startedAt = new Date(now / 1e6).toISOString()
    if (Exit.isFailure(exit)) {
      const failure = exit.cause.reasons[0]
      const message = failure?._tag === "Fail" ? failure.error.message : "task failed to start"
      markFailed(alloc, job, group, message, { Type: "Driver Failure", DriverError: message }, now)
      return
    }
    update(alloc, {
      ClientStatus: "running",
      DeploymentStatus: { Healthy: true },
      TaskStates: taskStates(job, group.Name, { State: "running", Failed: false, Restarts: 0, StartedAt: startedAt })
    }, now)
    for (const service of [...(group.Services ?? []), ...group.Tasks.flatMap((t) => t.Services ?? [])]) {
      const id = `_nomad-task-${alloc.stub.ID}-group-${group.Name}-${service.Name}-${service.PortLabel ?? "http"}`
      instances.set(id, {
        id,
        service: service.Name,
        namespace: alloc.stub.Namespace ?? "default",
        allocId: alloc.stub.ID,
        address: exit.value.address,
        port: exit.value.port,
        tags: service.Tags ?? [],
        meta: service.Meta ?? {},
        healthy: true
      })
    }
    changed()
    const current = jobs.get(key(alloc.stub.Namespace ?? "default", job.ID))
    if (current !== undefined) reconcile(current, now)
  }

  /** Brings a job's allocations to its desired state: place, stop, and roll old versions out as new ones get healthy. */
  const reconcile = (job: Job, now: number) => {
    for (const group of job.TaskGroups ?? []) {
      const live = groupAllocations(job, group.Name)
      const want = job.Stop === true ? 0 : group.Count ?? 1
      const specKey = specKeyOf(job, group)
      const current = live.filter((a) => a.specKey === specKey).sort((a, b) => a.index - b.index)
      const old = live.filter((a) => a.specKey !== specKey)
      for (const alloc of current.slice(want)) stopAllocation(alloc, now)
      for (const alloc of current.slice(0, want)) {
        if (alloc.stub.JobVersion !== job.Version) update(alloc, { JobVersion: job.Version ?? 0 }, now)
      }
      const used = new Set([...current.slice(0, want), ...old].map((a) => a.index))
      let slot = 0
      for (let n = current.length; n < want; n++) {
        while (used.has(slot)) slot++
        used.add(slot)
        placeAllocation(job, group, specKey, slot, now)
      }
      const healthyCurrent = current.slice(0, want).filter((a) => a.stub.ClientStatus === "running").length
      const keepOld = Math.max(0, want - healthyCurrent)
      for (const alloc of old.slice(keepOld)) stopAllocation(alloc, now)
    }
    const all = [...allocations.values()].filter((a) => a.stub.Namespace === job.Namespace && a.stub.JobID === job.ID)
    const status = all.some((a) => a.stub.ClientStatus === "running")
      ? "running"
      : all.some((a) => a.stub.DesiredStatus === "run")
      ? "pending"
      : "dead"
    const stored = jobs.get(key(job.Namespace ?? "default", job.ID))
    if (stored !== undefined && stored.Status !== status) {
      jobs.set(key(job.Namespace ?? "default", job.ID), { ...stored, Status: status, ModifyIndex: ++index })
    }
  }

  const registerJob = (job: Job, options: RegisterOptions) =>
    Effect.flatMap(
      nowNanos,
      (now) =>
        Effect.suspend(
          (): Effect.Effect<{ readonly jobModifyIndex: number; readonly evalId: string }, ClusterFailure> => {
            const namespace = job.Namespace ?? "default"
            if (!namespaces.has(namespace)) {
              return Effect.fail({ _tag: "Rejected", message: `nonexistent namespace "${namespace}"` })
            }
            const problem = validate(job)
            if (problem !== undefined) return Effect.fail({ _tag: "Rejected", message: problem })
            const existing = jobs.get(key(namespace, job.ID))
            if (options.enforceIndex !== undefined) {
              const prefix = `Enforcing job modify index ${options.enforceIndex}`
              if (options.enforceIndex === 0 && existing !== undefined) {
                return Effect.fail({ _tag: "IndexConflict", message: `${prefix}: job already exists` })
              }
              if (options.enforceIndex > 0 && existing === undefined) {
                return Effect.fail({ _tag: "IndexConflict", message: `${prefix}: job does not exist` })
              }
              if (options.enforceIndex > 0 && existing?.JobModifyIndex !== options.enforceIndex) {
                return Effect.fail({
                  _tag: "IndexConflict",
                  message: `${prefix}: job exists with conflicting job modify index: ${existing?.JobModifyIndex}`
                })
              }
            }
            const modifyIndex = ++index
            const taskGroups = (job.TaskGroups ?? []).map((group) => {
              const previous = existing?.TaskGroups?.find((g) => g.Name === group.Name)
              return options.preserveCounts === true && previous?.Count != null
                ? { ...group, Count: previous.Count }
                : group
            })
            const stored: Job = {
              ...job,
              Name: job.Name ?? job.ID,
              Namespace: namespace,
              TaskGroups: taskGroups,
              Stop: false,
              Status: "pending",
              Version: existing === undefined ? 0 : (existing.Version ?? 0) + 1,
              SubmitTime: now,
              CreateIndex: existing?.CreateIndex ?? modifyIndex,
              ModifyIndex: modifyIndex,
              JobModifyIndex: modifyIndex
            }
            jobs.set(key(namespace, job.ID), stored)
            reconcile(stored, now)
            return Effect.succeed({ jobModifyIndex: modifyIndex, evalId: randomUUID() })
          }
        )
    )

  const readJob = (namespace: string, id: string) =>
    Effect.sync(() => Option.fromUndefinedOr(jobs.get(key(namespace, id))))

  const summarize = (job: Job): Record<string, TaskGroupSummary> => {
    const summary: Record<string, TaskGroupSummary> = {}
    for (const group of job.TaskGroups ?? []) {
      const allocs = [...allocations.values()].filter((a) =>
        a.stub.Namespace === job.Namespace && a.stub.JobID === job.ID && a.stub.TaskGroup === group.Name
      )
      const count = (status: string) => allocs.filter((a) => a.stub.ClientStatus === status).length
      summary[group.Name] = {
        Queued: 0,
        Starting: count("pending"),
        Running: count("running"),
        Complete: count("complete"),
        Failed: count("failed"),
        Lost: count("lost"),
        Unknown: 0
      }
    }
    return summary
  }

  const listJobs = (namespace: string, prefix: string) =>
    Effect.sync((): ReadonlyArray<JobListStub> =>
      [...jobs.values()]
        .filter((j) => j.Namespace === namespace && j.ID.startsWith(prefix))
        .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0))
        .map((j) => ({
          ID: j.ID,
          Name: j.Name ?? j.ID,
          Namespace: j.Namespace ?? "default",
          Type: j.Type ?? "service",
          Status: j.Status ?? "pending",
          Stop: j.Stop ?? false,
          JobSummary: { JobID: j.ID, Namespace: j.Namespace ?? "default", Summary: summarize(j) },
          Meta: j.Meta ?? {},
          CreateIndex: j.CreateIndex ?? 0,
          ModifyIndex: j.ModifyIndex ?? 0,
          JobModifyIndex: j.JobModifyIndex ?? 0,
          SubmitTime: j.SubmitTime ?? 0
        }))
    )

  const deregisterJob = (namespace: string, id: string, purge: boolean) =>
    Effect.flatMap(nowNanos, (now) =>
      Effect.sync(() => {
        const existing = jobs.get(key(namespace, id))
        if (existing === undefined) return { existed: false }
        const stopped: Job = { ...existing, Stop: true, ModifyIndex: ++index, JobModifyIndex: index }
        jobs.set(key(namespace, id), stopped)
        reconcile(stopped, now)
        if (purge) {
          jobs.delete(key(namespace, id))
          for (const [allocId, alloc] of allocations) {
            if (alloc.stub.Namespace === namespace && alloc.stub.JobID === id) {
              allocations.delete(allocId)
              logs.delete(allocId)
            }
          }
        }
        return { existed: true }
      }))

  const scaleTaskGroup = (namespace: string, id: string, group: string, count: number) =>
    Effect.flatMap(nowNanos, (now) =>
      Effect.suspend((): Effect.Effect<void, ClusterFailure> => {
        const existing = jobs.get(key(namespace, id))
        if (existing === undefined || existing.Stop === true) return Effect.fail({ _tag: "JobNotFound" })
        if (count < 0) return Effect.fail({ _tag: "Rejected", message: "scaling action count can't be negative" })
        if (!existing.TaskGroups?.some((g) => g.Name === group)) {
          return Effect.fail({
            _tag: "Rejected",
            message: `task group "${group}" specified for scaling does not exist in job`
          })
        }
        const modifyIndex = ++index
        const scaled: Job = {
          ...existing,
          TaskGroups: existing.TaskGroups.map((g) => (g.Name === group ? { ...g, Count: count } : g)),
          Version: (existing.Version ?? 0) + 1,
          ModifyIndex: modifyIndex,
          JobModifyIndex: modifyIndex
        }
        jobs.set(key(namespace, id), scaled)
        reconcile(scaled, now)
        return Effect.void
      }))

  const jobAllocations = (namespace: string, id: string) =>
    Effect.sync((): ReadonlyArray<AllocationListStub> =>
      [...allocations.values()]
        .filter((a) => a.stub.Namespace === namespace && a.stub.JobID === id)
        .map((a) => a.stub)
    )

  const createNamespace = (name: string, meta: Readonly<Record<string, string>> = {}) =>
    Effect.sync(() => {
      namespaces.set(name, { Name: name, Description: "", Meta: meta })
    })

  /** Healthy instances right now, synchronously: for watchers called back on a change. */
  const healthyInstancesNow = (service?: string): ReadonlyArray<ServiceInstance> =>
    [...instances.values()].filter((i) => i.healthy && (service === undefined || i.service === service))

  const healthyInstances = (service: string) => Effect.sync(() => healthyInstancesNow(service))

  /** As a failing or recovering health check would: for tests and the dev cluster's runner. */
  const setAllocationHealth = (allocId: string, healthy: boolean) =>
    Effect.sync(() => {
      for (const instance of instances.values()) if (instance.allocId === allocId) instance.healthy = healthy
      changed()
    })

  const allocationLogs = (
    allocId: string,
    task: string,
    stream: "stdout" | "stderr",
    options: { readonly follow: boolean; readonly fromEndBytes?: number | undefined }
  ): Stream.Stream<Uint8Array> =>
    Stream.callback<Uint8Array>((queue) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const running = allocations.get(allocId)?.stub.DesiredStatus === "run"
          // Only a running task's log is made to be followed; asking about others leaves nothing behind.
          const file = running ? logFile(allocId, task, stream) : logs.get(allocId)?.get(`${task}/${stream}`)
          const text = file?.text ?? ""
          const history = options.fromEndBytes === undefined ? text : text.slice(-options.fromEndBytes)
          if (history !== "") Queue.offerUnsafe(queue, Buffer.from(history))
          if (!options.follow || file === undefined || !running) {
            Queue.endUnsafe(queue)
            return () => {}
          }
          const follower = (chunk: string | undefined) =>
            chunk === undefined ? Queue.endUnsafe(queue) : Queue.offerUnsafe(queue, Buffer.from(chunk))
          file.followers.add(follower)
          return () => file.followers.delete(follower)
        }),
        (stop) => Effect.sync(stop)
      )
    )

  const subscribe = (listener: () => void): () => void => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  return {
    registerJob,
    readJob,
    listJobs,
    deregisterJob,
    scaleTaskGroup,
    jobAllocations,
    readNamespace: (name: string) => Effect.sync(() => Option.fromUndefinedOr(namespaces.get(name))),
    listNamespaces: Effect.sync(() => [...namespaces.values()]),
    createNamespace,
    healthyInstances,
    healthyInstancesNow,
    setAllocationHealth,
    subscribe,
    appendLog,
    allocationLogs,
    /** Waits until every task start and stop under way has finished: deterministic tests need no sleeps. */
    settled: FiberSet.awaitEmpty(fibers)
  }
})

export class MemoryCluster extends Context.Service<MemoryCluster, Effect.Success<typeof make>>()(
  "faas-nomad/MemoryCluster"
) {
  static readonly layer: Layer.Layer<MemoryCluster, never, AllocationRunner> = Layer.effect(MemoryCluster, make)
}
