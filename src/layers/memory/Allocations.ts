/**
 * The in-memory cluster's allocations and their lifecycle, as a Nomad client
 * reports it: placed pending, running once the `AllocationRunner` has started
 * the task (its services then join the catalog), complete once stopped. A task
 * that dies or fails to start leaves the catalog, what is left of it is
 * stopped, and the group's restart policy restarts it in place or fails the
 * allocation (`restartPolicy.ts`); a failed allocation is replaced after the
 * reschedule delay (`reconcile`). State changes are synchronous; only starting
 * and stopping tasks happens in fibers, and waiting for a restart in timers.
 */
import { Clock, Effect, Exit, Scope } from "effect"
import { randomUUID } from "node:crypto"
import type { AllocationListStub, TaskState } from "../../nomad/Allocation.ts"
import type { Job, TaskGroup } from "../../nomad/Job.ts"
import type { AllocationRunner, RunningAllocation } from "./AllocationRunner.ts"
import { goDuration, nextRestart, rescheduleDelay, type RestartWindow } from "./restartPolicy.ts"
import type { ServiceCatalog } from "./ServiceCatalog.ts"
import type { TaskLogs } from "./TaskLogs.ts"

type TaskEvent = NonNullable<TaskState["Events"]>[number]

export interface Allocation {
  stub: AllocationListStub
  /** What decides whether the allocation must be replaced: see `reconcile`. */
  readonly specKey: string
  /** Its slot in the group: `<job>.<group>[<index>]`. */
  readonly index: number
  /** The allocation's own scope: closed when it stops. */
  readonly scope: Scope.Closeable
  /** The task's current run, closed when the task dies (to stop what is left of it); none while it waits. */
  attempt: Scope.Closeable | undefined
  /** The restart policy's current interval. */
  window: RestartWindow
  restarts: number
  /** The task's events, the last ten kept, as a Nomad client keeps them. */
  events: ReadonlyArray<TaskEvent>
  /** How many allocations before this one, in its line, failed and were replaced. */
  readonly rescheduled: number
  /** When a failed allocation is due to be replaced (nanoseconds). */
  rescheduleAt: number | undefined
}

export interface AllocationsOptions {
  readonly runner: AllocationRunner["Service"]
  /** Runs a task's start or stop in a fiber the cluster keeps, so `settled` can wait for it. */
  readonly run: (effect: Effect.Effect<unknown>) => void
  /** Runs `effect` after `delayNanos`, in a fiber `settled` does not wait for: restarts and replacements. */
  readonly later: (delayNanos: number, effect: Effect.Effect<unknown>) => void
  readonly scope: Scope.Scope
  /** The cluster's next Raft index. */
  readonly nextIndex: () => number
  readonly catalog: ServiceCatalog
  readonly logs: TaskLogs
  /** Schedules the job again: an allocation of it started running, or a failed one is due to be replaced. */
  readonly reconcile: (namespace: string, jobId: string, now: number) => void
}

const maxEvents = 10

const taskStates = (job: Job, group: string, state: TaskState): Record<string, TaskState> => {
  const g = job.TaskGroups?.find((tg) => tg.Name === group)
  return Object.fromEntries((g?.Tasks ?? []).map((t) => [t.Name, state]))
}

const nowNanos = Clock.currentTimeNanos.pipe(Effect.map(Number))

/** Why a task ended, as its event says it. */
interface Ending {
  readonly message: string
  readonly event: { readonly Type: string; readonly DriverError?: string }
  /** Whether the restart policy may start it again; an unrecoverable failure fails the allocation at once. */
  readonly recoverable: boolean
}

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

  /** The group's allocations meant to run, failed ones included. */
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

  /** Places an allocation in `slot`; `previous` is the failed one it replaces. */
  place(job: Job, group: TaskGroup, specKey: string, slot: number, now: number, previous?: Allocation): void {
    const allocId = randomUUID()
    const createIndex = this.#options.nextIndex()
    const alloc: Allocation = {
      specKey,
      index: slot,
      scope: Scope.forkUnsafe(this.#options.scope, "sequential"),
      attempt: undefined,
      window: { startedAt: now, count: 0 },
      restarts: 0,
      events: [],
      rescheduled: previous === undefined ? 0 : previous.rescheduled + 1,
      rescheduleAt: undefined,
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
    this.#startTask(alloc, job, group)
  }

  stop(alloc: Allocation, now: number): void {
    this.#detach(alloc)
    alloc.attempt = undefined
    alloc.rescheduleAt = undefined
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

  /** Starts the task in a scope of its own, which its death or a failed start closes. */
  #startTask(alloc: Allocation, job: Job, group: TaskGroup): void {
    const { logs, run, runner } = this.#options
    const attempt = Scope.forkUnsafe(alloc.scope, "sequential")
    alloc.attempt = attempt
    const allocId = alloc.stub.ID
    const task = group.Tasks[0]!
    const ended = (ending: Ending) =>
      Effect.flatMap(nowNanos, (at) => Effect.sync(() => this.#ended(alloc, attempt, job, group, ending, at)))
    run(
      runner.run({
        allocId,
        namespace: alloc.stub.Namespace!,
        job,
        group,
        task,
        log: (stream, text) => logs.append(allocId, task.Name, stream, text),
        died: (message) => run(ended({ message, event: { Type: "Terminated" }, recoverable: true }))
      }).pipe(
        Scope.provide(attempt),
        Effect.exit,
        Effect.flatMap((exit) =>
          Exit.isSuccess(exit)
            ? Effect.flatMap(
              nowNanos,
              (at) => Effect.sync(() => this.#started(alloc, attempt, job, group, exit.value, at))
            )
            : ended(startFailure(exit))
        )
      )
    )
  }

  /** The allocation serves no more: its instances leave the catalog and its log followers' streams end. */
  #detach(alloc: Allocation): void {
    this.#options.catalog.deregisterAllocation(alloc.stub.ID)
    this.#options.logs.close(alloc.stub.ID)
  }

  #taskState(alloc: Allocation, job: Job, group: TaskGroup, state: TaskState, event: TaskEvent | undefined) {
    if (event !== undefined) alloc.events = [...alloc.events, event].slice(-maxEvents)
    return taskStates(job, group.Name, {
      ...state,
      Restarts: alloc.restarts,
      ...(alloc.events.length === 0 ? {} : { Events: alloc.events })
    })
  }

  #started(
    alloc: Allocation,
    attempt: Scope.Closeable,
    job: Job,
    group: TaskGroup,
    running: RunningAllocation,
    now: number
  ): void {
    if (alloc.attempt !== attempt || alloc.stub.DesiredStatus !== "run") return
    const startedAt = new Date(now / 1e6).toISOString()
    this.update(alloc, {
      ClientStatus: "running",
      DeploymentStatus: { Healthy: true },
      TaskStates: this.#taskState(
        alloc,
        job,
        group,
        { State: "running", Failed: false, StartedAt: startedAt },
        { Type: "Started", Time: now, DisplayMessage: "Task started by client" }
      )
    }, now)
    const namespace = alloc.stub.Namespace ?? "default"
    for (const service of [...(group.Services ?? []), ...group.Tasks.flatMap((t) => t.Services ?? [])]) {
      this.#options.catalog.register({
        id: `_nomad-task-${alloc.stub.ID}-group-${group.Name}-${service.Name}-${service.PortLabel ?? "http"}`,
        service: service.Name,
        namespace,
        allocId: alloc.stub.ID,
        address: running.address,
        port: running.port,
        tags: service.Tags ?? [],
        meta: service.Meta ?? {},
        healthy: true
      })
    }
    this.#options.catalog.changed()
    this.#options.reconcile(namespace, job.ID, now)
  }

  /** The task died or did not start: what is left of it stops, then it restarts or the allocation fails. */
  #ended(alloc: Allocation, attempt: Scope.Closeable, job: Job, group: TaskGroup, ending: Ending, now: number): void {
    if (alloc.attempt !== attempt || alloc.stub.DesiredStatus !== "run") return
    alloc.attempt = undefined
    this.#options.catalog.deregisterAllocation(alloc.stub.ID)
    this.#options.run(Scope.close(attempt, Exit.void))
    const ended: TaskEvent = { ...ending.event, Time: now, DisplayMessage: ending.message }
    const decision = ending.recoverable
      ? nextRestart(group.RestartPolicy, alloc.window, now)
      : { _tag: "Fail" as const, reason: "Error was unrecoverable" }
    if (decision._tag === "Restart") {
      alloc.window = decision.window
      alloc.restarts++
      this.#taskState(alloc, job, group, {}, ended)
      this.update(alloc, {
        ClientStatus: "pending",
        TaskStates: this.#taskState(
          alloc,
          job,
          group,
          { State: "pending", Failed: false },
          { Type: "Restarting", Time: now, DisplayMessage: `Task restarting in ${goDuration(decision.delay)}` }
        )
      }, now)
      this.#options.later(
        decision.delay,
        Effect.sync(() => {
          if (alloc.stub.DesiredStatus === "run" && alloc.attempt === undefined) this.#startTask(alloc, job, group)
        })
      )
      return
    }
    this.#options.logs.close(alloc.stub.ID)
    this.#taskState(alloc, job, group, {}, ended)
    const delay = rescheduleDelay(alloc.rescheduled)
    alloc.rescheduleAt = now + delay
    this.update(alloc, {
      ClientStatus: "failed",
      ClientDescription: ending.message,
      DeploymentStatus: { Healthy: false },
      TaskStates: this.#taskState(
        alloc,
        job,
        group,
        { State: "dead", Failed: true },
        { Type: "Not Restarting", Time: now, DisplayMessage: decision.reason }
      )
    }, now)
    const namespace = alloc.stub.Namespace ?? "default"
    this.#options.later(
      delay,
      Effect.flatMap(nowNanos, (at) => Effect.sync(() => this.#options.reconcile(namespace, job.ID, at)))
    )
  }
}

/** A failed start as the task's ending: the runner's message, and whether it may be tried again. */
const startFailure = (exit: Exit.Failure<RunningAllocation, { readonly message: string }>): Ending => {
  const failure = exit.cause.reasons[0]
  const error = failure?._tag === "Fail" ? failure.error : undefined
  const message = error?.message ?? "task failed to start"
  return {
    message,
    event: { Type: "Driver Failure", DriverError: message },
    recoverable: (error as { readonly recoverable?: boolean } | undefined)?.recoverable === true
  }
}
