/**
 * Allocations: how one is made for a group (name, ports, task states), what
 * its task sees in its environment, and the two views Nomad serves of it:
 * the list stub and the full allocation.
 */
import type { JsonObject } from "./http.ts"
import type { AllocRecord, SimJob, SimTask, SimTaskGroup, TaskEvent } from "./model.ts"

export interface Placement {
  readonly nodeId: string
  readonly nodeName: string
  readonly datacenter: string
  readonly region: string
}

export const groupOf = (job: SimJob, name: string): SimTaskGroup | undefined =>
  (job.TaskGroups ?? []).find((g) => g.Name === name)

/** The task the driver runs: the leader, else the first that is not a lifecycle hook. */
export const mainTask = (group: SimTaskGroup): SimTask | undefined => {
  const tasks = group.Tasks ?? []
  return tasks.find((t) => t.Leader) ?? tasks.find((t) => t.Lifecycle === null) ?? tasks[0]
}

/** Host ports for the group's networks: dynamic ones counted from `nextPort`, reserved ones as asked. */
export const allocatePorts = (group: SimTaskGroup, nextPort: () => number): Record<string, number> => {
  const ports: Record<string, number> = {}
  const networks = [
    ...(group.Networks ?? []),
    ...(group.Tasks ?? []).flatMap((t) => (Array.isArray(t.Resources?.Networks) ? t.Resources.Networks : []))
  ] as Array<JsonObject>
  for (const network of networks) {
    for (const port of (network.ReservedPorts ?? []) as Array<JsonObject>) {
      ports[String(port.Label)] = Number(port.Value)
    }
    for (const port of (network.DynamicPorts ?? []) as Array<JsonObject>) ports[String(port.Label)] = nextPort()
  }
  return ports
}

/** The label a driver's reported port stands for: the first service's, else the first port's. */
export const primaryLabel = (group: SimTaskGroup, ports: Record<string, number>): string | undefined => {
  const services = [...(group.Services ?? []), ...(group.Tasks ?? []).flatMap((t) => t.Services ?? [])]
  return services.map((s) => s.PortLabel).find((label) => label in ports) ?? Object.keys(ports)[0]
}

const envName = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_")

/** The `NOMAD_*` runtime environment, then the task's `Env` with `${NOMAD_*}` interpolated. */
export const taskEnv = (alloc: AllocRecord, task: SimTask, placement: Placement): Record<string, string> => {
  const env: Record<string, string> = {
    NOMAD_ALLOC_ID: alloc.id,
    NOMAD_SHORT_ALLOC_ID: alloc.id.slice(0, 8),
    NOMAD_ALLOC_NAME: `${alloc.jobId}.${alloc.group}[${alloc.slot}]`,
    NOMAD_ALLOC_INDEX: String(alloc.slot),
    NOMAD_ALLOC_DIR: "/alloc",
    NOMAD_TASK_DIR: "/local",
    NOMAD_SECRETS_DIR: "/secrets",
    NOMAD_JOB_ID: alloc.jobId,
    NOMAD_JOB_NAME: alloc.job.Name,
    NOMAD_JOB_PARENT_ID: "",
    NOMAD_GROUP_NAME: alloc.group,
    NOMAD_TASK_NAME: task.Name,
    NOMAD_NAMESPACE: alloc.namespace,
    NOMAD_REGION: placement.region,
    NOMAD_DC: placement.datacenter,
    NOMAD_CPU_LIMIT: String(task.Resources?.CPU ?? 100),
    NOMAD_MEMORY_LIMIT: String(task.Resources?.MemoryMB ?? 300)
  }
  for (const [label, port] of Object.entries(alloc.ports)) {
    const name = envName(label)
    env[`NOMAD_PORT_${name}`] = String(port)
    env[`NOMAD_HOST_PORT_${name}`] = String(port)
    env[`NOMAD_IP_${name}`] = "127.0.0.1"
    env[`NOMAD_HOST_IP_${name}`] = "127.0.0.1"
    env[`NOMAD_ADDR_${name}`] = `127.0.0.1:${port}`
    env[`NOMAD_HOST_ADDR_${name}`] = `127.0.0.1:${port}`
  }
  const group = groupOf(alloc.job, alloc.group)
  for (const [key, value] of Object.entries({ ...alloc.job.Meta, ...group?.Meta, ...task.Meta })) {
    env[`NOMAD_META_${envName(key)}`] = value
    env[`NOMAD_META_${envName(key).toUpperCase()}`] = value
  }
  for (const [key, value] of Object.entries(task.Env ?? {})) {
    env[key] = value.replace(/\$\{(NOMAD_[A-Za-z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole)
  }
  return env
}

const renderEvent = (e: TaskEvent): JsonObject => ({
  Type: e.Type,
  Time: e.Time,
  DisplayMessage: e.DisplayMessage,
  Details: e.Details,
  Message: e.Message,
  FailsTask: e.FailsTask,
  RestartReason: "",
  SetupError: "",
  DriverError: e.DriverError,
  ExitCode: e.ExitCode,
  Signal: 0,
  KillTimeout: 0,
  KillError: "",
  KillReason: "",
  StartDelay: 0,
  DownloadError: "",
  ValidationError: "",
  DiskLimit: 0,
  FailedSibling: "",
  VaultError: "",
  TaskSignalReason: "",
  TaskSignal: "",
  DriverMessage: "",
  GenericSource: ""
})

const renderTaskStates = (alloc: AllocRecord): JsonObject =>
  Object.fromEntries(
    Object.entries(alloc.taskStates).map(([name, s]) => [name, {
      State: s.State,
      Failed: s.Failed,
      Restarts: 0,
      LastRestart: null,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
      Events: s.Events.map(renderEvent),
      TaskHandle: null
    }])
  )

/** A canary is marked one from its placement; health joins once the client has judged it. */
const deploymentStatus = (alloc: AllocRecord): JsonObject | null =>
  alloc.healthy === null
    ? alloc.canary ? { Healthy: null, Timestamp: "0001-01-01T00:00:00Z", Canary: true, ModifyIndex: 0 } : null
    : { Healthy: alloc.healthy, Timestamp: alloc.healthTimestamp, Canary: alloc.canary, ModifyIndex: alloc.modifyIndex }

const portList = (alloc: AllocRecord) =>
  Object.entries(alloc.ports).map(([label, value]) => ({ Label: label, Value: value, To: 0, HostNetwork: "default" }))

const allocatedResources = (alloc: AllocRecord): JsonObject => {
  const group = groupOf(alloc.job, alloc.group)
  const tasks = group?.Tasks ?? []
  return {
    Tasks: Object.fromEntries(tasks.map((t) => [t.Name, {
      Cpu: { CpuShares: t.Resources?.CPU ?? 100, ReservedCores: null },
      Memory: { MemoryMB: t.Resources?.MemoryMB ?? 300, MemoryMaxMB: t.Resources?.MemoryMaxMB ?? 0 },
      Networks: null,
      Devices: null
    }])),
    TaskLifecycles: Object.fromEntries(tasks.map((t) => [t.Name, t.Lifecycle])),
    Shared: {
      DiskMB: 300,
      Networks: [{
        Mode: "host",
        Device: "",
        CIDR: "",
        IP: alloc.address,
        MBits: 0,
        ReservedPorts: null,
        DynamicPorts: portList(alloc)
      }],
      Ports: Object.entries(alloc.ports).map(([label, value]) => ({
        Label: label,
        Value: value,
        To: 0,
        HostIP: alloc.address
      }))
    }
  }
}

/** `AllocListStub`, as `/v1/allocations` and `/v1/job/:id/allocations` list it. */
export const allocStub = (
  alloc: AllocRecord,
  placement: Placement,
  options: { readonly taskStates?: boolean; readonly resources?: boolean } = {}
): JsonObject => ({
  ID: alloc.id,
  EvalID: alloc.evalId,
  Name: `${alloc.jobId}.${alloc.group}[${alloc.slot}]`,
  Namespace: alloc.namespace,
  NodeID: placement.nodeId,
  NodeName: placement.nodeName,
  JobID: alloc.jobId,
  JobType: alloc.job.Type,
  JobVersion: alloc.job.Version,
  TaskGroup: alloc.group,
  AllocatedResources: options.resources === true ? allocatedResources(alloc) : null,
  DesiredStatus: alloc.desiredStatus,
  DesiredDescription: alloc.desiredDescription,
  ClientStatus: alloc.clientStatus,
  ClientDescription: alloc.clientDescription,
  DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
  TaskStates: options.taskStates === false ? null : renderTaskStates(alloc),
  DeploymentStatus: deploymentStatus(alloc),
  FollowupEvalID: "",
  PreviousAllocation: "",
  NextAllocation: "",
  RescheduleTracker: null,
  PreemptedAllocations: null,
  PreemptedByAllocation: "",
  CreateIndex: alloc.createIndex,
  ModifyIndex: alloc.modifyIndex,
  CreateTime: alloc.createTime,
  ModifyTime: alloc.modifyTime
})

/** The full `Allocation`, as `/v1/allocation/:id` returns it, with the job it was placed for. */
export const allocFull = (alloc: AllocRecord, placement: Placement): JsonObject => {
  const group = groupOf(alloc.job, alloc.group)
  const taskResources = Object.fromEntries((group?.Tasks ?? []).map((t) => [t.Name, {
    CPU: t.Resources?.CPU ?? 100,
    MemoryMB: t.Resources?.MemoryMB ?? 300,
    DiskMB: 0,
    Networks: null
  }]))
  const cpu = Object.values(taskResources).reduce((sum, r) => sum + Number(r.CPU), 0)
  const memory = Object.values(taskResources).reduce((sum, r) => sum + Number(r.MemoryMB), 0)
  const stub = allocStub(alloc, placement, { resources: true })
  return {
    ...stub,
    Job: alloc.job,
    Resources: {
      CPU: cpu,
      MemoryMB: memory,
      DiskMB: 300,
      Networks: [{
        Device: "",
        CIDR: "",
        IP: alloc.address,
        MBits: 0,
        ReservedPorts: null,
        DynamicPorts: portList(alloc)
      }]
    },
    SharedResources: { CPU: 0, MemoryMB: 0, DiskMB: 300, Networks: null },
    TaskResources: taskResources,
    Metrics: {
      NodesEvaluated: 1,
      NodesFiltered: 0,
      NodesInPool: 1,
      NodesAvailable: { [placement.datacenter]: 1 },
      ClassFiltered: null,
      ConstraintFiltered: null,
      NodesExhausted: 0,
      ClassExhausted: null,
      DimensionExhausted: null,
      QuotaExhausted: null,
      ResourcesExhausted: null,
      Scores: null,
      ScoreMetaData: null,
      AllocationTime: 1000,
      CoalescedFailures: 0
    },
    AllocStates: null,
    DeploymentID: alloc.deploymentId,
    NetworkStatus: null,
    SigningKeyID: "",
    AllocModifyIndex: alloc.allocModifyIndex
  }
}
