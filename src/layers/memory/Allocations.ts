/**
 * The in-memory cluster's allocations and their lifecycle, as a Nomad client
 * reports it: placed pending, running once the `AllocationRunner` has started
 * the task (its services then join the catalog), failed when the task cannot
 * start or dies, complete once stopped. State changes are synchronous; only
 * starting and stopping tasks happens in fibers.
 */
import { Clock, Effect, Exit, Scope } from "effect"
import { randomUUID } from "node:crypto"
import type { AllocationListStub, TaskState } from "../../nomad/Allocation.ts"
import type { Job, TaskGroup } from "../../nomad/Job.ts"
import type { AllocationRunner, RunningAllocation } from "./AllocationRunner.ts"
import type { ServiceCatalog } from "./ServiceCatalog.ts"
import type { TaskLogs } from "./TaskLogs.ts"

export interface Allocation {
  stub: AllocationListStub
  /** What decides whether the allocation must be replaced: see `reconcile`. */
  readonly specKey: string
  /** Its slot in the group: `<job>.<group>[<index>]`. */
  readonly index: number
  readonly scope: Scope.Closeable
}

export interface AllocationsOptions {
  readonly runner: AllocationRunner["Service"]
  /** Runs a task's start or stop in a fiber the cluster keeps, so `settled` can wait for it. */
  readonly run: (effect: Effect.Effect<unknown>) => void
  readonly scope: Scope.Scope
  /** The cluster's next Raft index. */
  readonly nextIndex: () => number
  readonly catalog: ServiceCatalog
  readonly logs: TaskLogs
  /** An allocation of the job started running: the job's rollout can go on. */
  readonly onRunning: (namespace: string, jobId: string, now: number) => void
}

const taskStates = (job: Job, group: string, state: TaskState): Record<string, TaskState> => {
  const g = job.TaskGroups?.find((tg) => tg.Name === group)
  return Object.fromEntries((g?.Tasks ?? []).map((t) => [t.Name, state]))
}

const nowNanos = Clock.currentTimeNanos.pipe(Effect.map(Number))

export class Allocations {
  readonly #byId = new Map<string, Allocation>()
  readonly #options: AllocationsOptions

  constructor(options: AllocationsOptions) {
    this.#options = options
  }

  /** Every allocation of the job, stopped ones included. */
  ofJob(namespace: string, jobId: string): ReadonlyArray<Allocation> {
    return [...this.#byId.values()].filter((a) => a.stub.Namespace === namespace && a.stub.JobID === jobId)
  }

  /** The group's allocations meant to run. */
  ofGroup(job: Job, group: string): ReadonlyArray<Allocation> {
    return [...this.#byId.values()].filter((a) =>
      a.stub.Namespace === job.Namespace && a.stub.JobID === job.ID && a.stub.TaskGroup === group &&
      a.stub.DesiredStatus === "run"
    )
  }

  isRunning(allocId: string): boolean {
    return this.#byId.get(allocId)?.stub.DesiredStatus === "run"
  }

  update(alloc: Allocation, changes: Partial<AllocationListStub>, now: number): void {
    alloc.stub = { ...alloc.stub, ...changes, ModifyIndex: this.#options.nextIndex(), ModifyTime: now }
    this.#options.catalog.changed()
  }

  place(job: Job, group: TaskGroup, specKey: string, slot: number, now: number): void {
    const { logs, nextIndex, run, runner } = this.#options
    const allocId = randomUUID()
    const scope = Scope.forkUnsafe(this.#options.scope, "sequential")
    const createIndex = nextIndex()
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
        CreateIndex: createIndex,
        ModifyIndex: createIndex,
        CreateTime: now,
        ModifyTime: now
      }
    }
    this.#byId.set(allocId, alloc)
    const task = group.Tasks[0]!
    run(
      runner.run({
        allocId,
        namespace: alloc.stub.Namespace!,
        job,
        group,
        task,
        log: (stream, text) => logs.append(allocId, task.Name, stream, text),
        died: (message) =>
          run(Effect.flatMap(nowNanos, (at) => Effect.sync(() => this.#died(alloc, job, group, message, at))))
      }).pipe(
        Scope.provide(scope),
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.flatMap(nowNanos, (at) => Effect.sync(() => this.#started(alloc, job, group, exit, at)))
        )
      )
    )
  }

  stop(alloc: Allocation, now: number): void {
    this.#detach(alloc)
    const wasRunning = alloc.stub.ClientStatus === "running" || alloc.stub.ClientStatus === "pending"
    this.update(alloc, {
      DesiredStatus: "stop",
      ClientStatus: wasRunning ? "complete" : alloc.stub.ClientStatus ?? "complete",
      TaskStates: Object.fromEntries(
        Object.entries(alloc.stub.TaskStates ?? {}).map(([task, s]) => [task, { ...s, State: "dead" }])
      )
    }, now)
    this.#options.run(Scope.close(alloc.scope, Exit.void))
  }

  /** Forgets the job's allocations and their logs, as `purge` does. */
  purge(namespace: string, jobId: string): void {
    for (const alloc of this.ofJob(namespace, jobId)) {
      this.#byId.delete(alloc.stub.ID)
      this.#options.logs.purge(alloc.stub.ID)
    }
  }

  /** The allocation serves no more: its instances leave the catalog and its log followers' streams end. */
  #detach(alloc: Allocation): void {
    this.#options.catalog.deregisterAllocation(alloc.stub.ID)
    this.#options.logs.close(alloc.stub.ID)
  }

  /** The allocation failed, as a Nomad client reports it; `how` is the event's type (and the driver's error). */
  #markFailed(
    alloc: Allocation,
    job: Job,
    group: TaskGroup,
    message: string,
    how: { readonly Type: string; readonly DriverError?: string },
    now: number
  ): void {
    this.update(alloc, {
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
  }

  /** A task that was running died: its allocation fails, as a Nomad client reports it. */
  #died(alloc: Allocation, job: Job, group: TaskGroup, message: string, now: number): void {
    if (alloc.stub.DesiredStatus !== "run") return
    this.#detach(alloc)
    this.#markFailed(alloc, job, group, message, { Type: "Terminated" }, now)
  }

  #started(
    alloc: Allocation,
    job: Job,
    group: TaskGroup,
    exit: Exit.Exit<RunningAllocation, { readonly message: string }>,
    now: number
  ): void {
    if (alloc.stub.DesiredStatus !== "run") return
    const startedAt = new Date(now / 1e6).toISOString()
    if (Exit.isFailure(exit)) {
      const failure = exit.cause.reasons[0]
      const message = failure?._tag === "Fail" ? failure.error.message : "task failed to start"
      this.#markFailed(alloc, job, group, message, { Type: "Driver Failure", DriverError: message }, now)
      return
    }
    this.update(alloc, {
      ClientStatus: "running",
      DeploymentStatus: { Healthy: true },
      TaskStates: taskStates(job, group.Name, { State: "running", Failed: false, Restarts: 0, StartedAt: startedAt })
    }, now)
    const namespace = alloc.stub.Namespace ?? "default"
    for (const service of [...(group.Services ?? []), ...group.Tasks.flatMap((t) => t.Services ?? [])]) {
      this.#options.catalog.register({
        id: `_nomad-task-${alloc.stub.ID}-group-${group.Name}-${service.Name}-${service.PortLabel ?? "http"}`,
        service: service.Name,
        namespace,
        allocId: alloc.stub.ID,
        address: exit.value.address,
        port: exit.value.port,
        tags: service.Tags ?? [],
        meta: service.Meta ?? {},
        healthy: true
      })
    }
    this.#options.catalog.changed()
    this.#options.onRunning(namespace, job.ID, now)
  }
}
