/**
 * How an allocation's record changes as a Nomad client would report it:
 * placed and pending, running once the driver is up, failed when its main
 * task dies, complete once stopped. Task states keep their last ten events.
 */
import { randomUUID } from "node:crypto"
import { groupOf, mainTask, primaryLabel } from "./allocations.ts"
import type { AllocRecord, SimJob, SimTaskGroup, TaskEvent, TaskStateRecord } from "./model.ts"
import { nowNanos, rfc3339 } from "./store.ts"

export const taskEvent = (type: string, fields: Partial<TaskEvent> = {}): TaskEvent => ({
  Type: type,
  Time: nowNanos(),
  Message: "",
  DisplayMessage: "",
  DriverError: "",
  ExitCode: 0,
  FailsTask: false,
  Details: {},
  ...fields
})

export interface NewAllocation {
  readonly job: SimJob
  readonly group: SimTaskGroup
  readonly specKey: string
  readonly slot: number
  readonly evalId: string
  readonly index: number
  readonly ports: Record<string, number>
  readonly deploymentId?: string
  readonly canary?: boolean
}

export const newAllocation = (a: NewAllocation): AllocRecord => {
  const now = nowNanos()
  return {
    id: randomUUID(),
    evalId: a.evalId,
    namespace: a.job.Namespace,
    jobId: a.job.ID,
    group: a.group.Name,
    slot: a.slot,
    specKey: a.specKey,
    jobCreateIndex: a.job.CreateIndex,
    createIndex: a.index,
    createTime: now,
    ports: a.ports,
    job: a.job,
    desiredStatus: "run",
    desiredDescription: "",
    clientStatus: "pending",
    clientDescription: "",
    taskStates: Object.fromEntries((a.group.Tasks ?? []).map((t) => [
      t.Name,
      {
        State: "pending",
        Failed: false,
        StartedAt: null,
        FinishedAt: null,
        Events: [taskEvent("Received", { DisplayMessage: "Task received by client" })]
      } satisfies TaskStateRecord
    ])),
    healthy: null,
    healthTimestamp: null,
    deploymentId: a.deploymentId ?? "",
    canary: a.canary ?? false,
    address: "127.0.0.1",
    modifyIndex: a.index,
    allocModifyIndex: a.index,
    modifyTime: now
  }
}

type TaskChange = Partial<TaskStateRecord> & { readonly event?: TaskEvent }

const updateTasks = (alloc: AllocRecord, change: (isMain: boolean) => TaskChange): void => {
  const group = groupOf(alloc.job, alloc.group)
  const main = group === undefined ? undefined : mainTask(group)?.Name
  for (const [name, state] of Object.entries(alloc.taskStates)) {
    const { event, ...fields } = change(name === main)
    Object.assign(state, fields)
    if (event !== undefined) state.Events = [...state.Events, event].slice(-10)
  }
}

/** The driver is up: its address and port become the allocation's, its tasks run, and it reports healthy. */
export const markRunning = (alloc: AllocRecord, running: { readonly address: string; readonly port: number }): void => {
  const group = groupOf(alloc.job, alloc.group)
  const label = group === undefined ? undefined : primaryLabel(group, alloc.ports)
  if (label !== undefined) alloc.ports[label] = running.port
  alloc.address = running.address
  alloc.clientStatus = "running"
  alloc.clientDescription = "Tasks are running"
  const at = rfc3339()
  const setup = "Building Task Directory"
  updateTasks(alloc, () => ({
    State: "running",
    StartedAt: at,
    event: taskEvent("Task Setup", { Message: setup, DisplayMessage: setup })
  }))
  updateTasks(alloc, () => ({ event: taskEvent("Started", { DisplayMessage: "Task started by client" }) }))
  alloc.healthy = true
  alloc.healthTimestamp = at
}

/** The main task died (or never started); its siblings are killed. False when the allocation was already over. */
export const markFailed = (alloc: AllocRecord, type: "Driver Failure" | "Terminated", message: string): boolean => {
  if (alloc.clientStatus === "failed" || alloc.clientStatus === "complete") return false
  alloc.clientStatus = "failed"
  alloc.clientDescription = "Failed tasks"
  const at = rfc3339()
  alloc.healthy = false
  alloc.healthTimestamp = at
  updateTasks(alloc, (isMain) => ({
    State: "dead",
    Failed: isMain,
    FinishedAt: at,
    event: !isMain
      ? taskEvent("Sibling Task Failed", { DisplayMessage: "Task's sibling failed" })
      : type === "Driver Failure"
      ? taskEvent(type, { DriverError: message, DisplayMessage: message, FailsTask: true })
      : taskEvent(type, {
        ExitCode: 1,
        Message: message,
        DisplayMessage: `Exit Code: 1, Exit Message: ${JSON.stringify(message)}`,
        FailsTask: true
      })
  }))
  return true
}

/** The tasks were killed on a stop. False when the allocation had already failed or completed. */
export const markComplete = (alloc: AllocRecord): boolean => {
  if (alloc.clientStatus !== "pending" && alloc.clientStatus !== "running") return false
  alloc.clientStatus = "complete"
  alloc.clientDescription = "All tasks have completed"
  const at = rfc3339()
  const killed = taskEvent("Killed", { DisplayMessage: "Task successfully killed" })
  updateTasks(alloc, () => ({ State: "dead", FinishedAt: at, event: killed }))
  return true
}
