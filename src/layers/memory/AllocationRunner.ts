/**
 * What the in-memory cluster uses to run an allocation's task: the part a
 * Nomad client and its task driver play. `run` returns once the instance is
 * ready to serve, with the address it listens on; closing the scope stops it
 * and everything it started. A task that dies says so through `died`; the
 * cluster then closes the scope and restarts the task by its group's restart
 * policy, with a new `run` in a new scope.
 */
import { Context, type Effect, Schema, type Scope } from "effect"
import type { Job, Task, TaskGroup } from "../../nomad/Job.ts"

export interface AllocationSpec {
  readonly allocId: string
  readonly namespace: string
  readonly job: Job
  readonly group: TaskGroup
  readonly task: Task
  /** Writes to the task's stdout or stderr, which /system/logs reads. */
  readonly log: (stream: "stdout" | "stderr", text: string) => void
  /** The running task died: it leaves discovery, and is restarted or failed by the group's restart policy. */
  readonly died: (message: string) => void
}

export interface RunningAllocation {
  readonly address: string
  readonly port: number
}

/** The task could not start. Only a `recoverable` failure is tried again by the restart policy; others fail at once. */
export class AllocationFailed extends Schema.TaggedError<AllocationFailed>()("AllocationFailed", {
  allocId: Schema.String,
  message: Schema.String,
  recoverable: Schema.optionalKey(Schema.Boolean)
}) {}

export class AllocationRunner extends Context.Service<AllocationRunner, {
  readonly run: (spec: AllocationSpec) => Effect.Effect<RunningAllocation, AllocationFailed, Scope.Scope>
}>()("faas-nomad/AllocationRunner") {}
