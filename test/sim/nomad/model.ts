/**
 * The simulator's records, in Nomad's own field names where they are served
 * as they are (jobs, namespaces, registrations, variables), and in a
 * simulator-private shape where Nomad derives its views (allocations).
 */
import type { JsonObject } from "./http.ts"

export type StringMap = Record<string, string>

export interface SimCheck extends JsonObject {
  Name: string
  Type: string
  Path: string
  PortLabel: string
  Protocol: string
  OnUpdate: string
}

export interface SimService extends JsonObject {
  Name: string
  TaskName: string
  PortLabel: string
  Provider: string
  Address: string
  Tags: Array<string> | null
  Meta: StringMap | null
  Checks: Array<SimCheck> | null
  OnUpdate: string
}

export interface SimPort extends JsonObject {
  Label: string
  Value: number
  To: number
}

export interface SimNetwork extends JsonObject {
  Mode: string
  DynamicPorts: Array<SimPort> | null
  ReservedPorts: Array<SimPort> | null
}

export interface SimVolumeRequest extends JsonObject {
  Name: string
  Type: string
  Source: string
  ReadOnly: boolean
  Sticky: boolean
  AccessMode: string
  AttachmentMode: string
  MountOptions: JsonObject | null
  PerAlloc: boolean
}

export interface SimVolumeMount extends JsonObject {
  Volume: string
  Destination: string
  ReadOnly: boolean
  PropagationMode: string
  SELinuxLabel: string
}

/** A group's update strategy once canonicalized: every field set. */
export interface SimUpdateStrategy extends JsonObject {
  Stagger: number
  MaxParallel: number
  HealthCheck: string
  MinHealthyTime: number
  HealthyDeadline: number
  ProgressDeadline: number
  AutoRevert: boolean
  AutoPromote: boolean
  Canary: number
}

export interface SimTask extends JsonObject {
  Name: string
  Driver: string
  Env: StringMap | null
  Meta: StringMap | null
  Services: Array<SimService> | null
  Lifecycle: { readonly Hook: string; readonly Sidecar: boolean } | null
  Resources: JsonObject | null
  Vault: JsonObject | null
  Leader: boolean
  VolumeMounts: Array<SimVolumeMount> | null
}

export interface SimScaling extends JsonObject {
  Min: number
  Max: number
  Enabled: boolean
}

export interface SimTaskGroup extends JsonObject {
  Name: string
  Count: number
  Tasks: Array<SimTask> | null
  Services: Array<SimService> | null
  Networks: Array<SimNetwork> | null
  Scaling: SimScaling | null
  Meta: StringMap | null
  Update: SimUpdateStrategy | null
  Volumes: Record<string, SimVolumeRequest> | null
}

/** A job as `GET /v1/job/:id` returns it: Nomad's server struct, every field present. */
export interface SimJob extends JsonObject {
  ID: string
  Name: string
  Namespace: string
  Region: string
  Type: string
  Priority: number
  Stop: boolean
  Status: string
  StatusDescription: string
  Version: number
  SubmitTime: number
  CreateIndex: number
  ModifyIndex: number
  JobModifyIndex: number
  Datacenters: Array<string>
  NodePool: string
  Meta: StringMap | null
  TaskGroups: Array<SimTaskGroup> | null
  Periodic: JsonObject | null
  ParameterizedJob: JsonObject | null
}

export interface NamespaceRecord {
  readonly Name: string
  readonly Description: string
  readonly Quota: string
  readonly Capabilities: unknown
  readonly NodePoolConfiguration: unknown
  readonly VaultConfiguration: unknown
  readonly ConsulConfiguration: unknown
  readonly Meta: StringMap | null
  readonly Hash: string
  readonly CreateIndex: number
  readonly ModifyIndex: number
}

/** One task group's part of a deployment, as `DeploymentState` is served. */
export interface DeploymentGroupState {
  readonly AutoRevert: boolean
  readonly AutoPromote: boolean
  readonly ProgressDeadline: number
  RequireProgressBy: string
  Promoted: boolean
  PlacedCanaries: Array<string> | null
  readonly DesiredCanaries: number
  readonly DesiredTotal: number
  PlacedAllocs: number
  HealthyAllocs: number
  UnhealthyAllocs: number
}

/** A deployment as `GET /v1/deployment/:id` returns it. */
export interface DeploymentRecord {
  readonly ID: string
  readonly Namespace: string
  readonly JobID: string
  readonly JobVersion: number
  readonly JobModifyIndex: number
  readonly JobSpecModifyIndex: number
  readonly JobCreateIndex: number
  readonly IsMultiregion: boolean
  readonly TaskGroups: Record<string, DeploymentGroupState>
  Status: "running" | "successful" | "cancelled" | "failed"
  StatusDescription: string
  readonly EvalPriority: number
  readonly CreateIndex: number
  ModifyIndex: number
  readonly CreateTime: number
  ModifyTime: number
}

export interface EvalRecord {
  readonly id: string
  readonly namespace: string
  readonly jobId: string
  status: "pending" | "complete"
}

export interface ScalingEvent {
  readonly Time: number
  readonly Count: number | null
  readonly PreviousCount: number
  readonly Message: string
  readonly Error: boolean
  readonly Meta: JsonObject | null
  readonly EvalID: string | null
  readonly CreateIndex: number
}

export interface ServiceRegistration {
  readonly ID: string
  readonly ServiceName: string
  readonly Namespace: string
  readonly NodeID: string
  readonly Datacenter: string
  readonly JobID: string
  readonly AllocID: string
  readonly Tags: Array<string> | null
  readonly Address: string
  readonly Port: number
  readonly CreateIndex: number
  readonly ModifyIndex: number
}

/** A variable's lock as Nomad stores it: durations in nanoseconds, printed as Go durations (`15s`). */
export interface VariableLockRecord {
  readonly ID: string
  readonly TTL: number
  readonly LockDelay: number
}

export interface VariableRecord {
  readonly Namespace: string
  readonly Path: string
  /** Present while the variable is locked (and during the lock delay after its TTL ran out). */
  readonly Lock?: VariableLockRecord
  readonly CreateIndex: number
  readonly CreateTime: number
  readonly ModifyIndex: number
  readonly ModifyTime: number
  readonly Items: StringMap
}

export type ClientStatus = "pending" | "running" | "complete" | "failed" | "lost"

export interface TaskEvent {
  readonly Type: string
  readonly Time: number
  readonly Message: string
  readonly DisplayMessage: string
  readonly DriverError: string
  readonly ExitCode: number
  readonly FailsTask: boolean
  readonly Details: StringMap
}

export interface TaskStateRecord {
  State: "pending" | "running" | "dead"
  Failed: boolean
  StartedAt: string | null
  FinishedAt: string | null
  Events: Array<TaskEvent>
}

/** A consul-provider registration handed to the sink, kept to deregister it with its allocation. */
export interface SinkRegistration {
  readonly id: string
  readonly allocId: string
}

/** An allocation as the simulator tracks it; `allocations.ts` renders Nomad's views of it. */
export interface AllocRecord {
  readonly id: string
  readonly evalId: string
  readonly namespace: string
  readonly jobId: string
  readonly group: string
  readonly slot: number
  /** The group spec it runs; a different one means a destructive update replaces it. */
  readonly specKey: string
  readonly jobCreateIndex: number
  readonly createIndex: number
  readonly createTime: number
  readonly ports: Record<string, number>
  job: SimJob
  desiredStatus: "run" | "stop"
  desiredDescription: string
  clientStatus: ClientStatus
  clientDescription: string
  taskStates: Record<string, TaskStateRecord>
  healthy: boolean | null
  healthTimestamp: string | null
  /** The deployment that placed it, or `""`; a canary waits for that deployment's promotion. */
  readonly deploymentId: string
  canary: boolean
  address: string
  modifyIndex: number
  allocModifyIndex: number
  modifyTime: number
}
