/**
 * Nomad's job model, in Nomad's own PascalCase terms: the subset of the `Job`
 * struct the provider writes and reads. Decoding is lenient in the way the
 * real server is: every field may be absent or `null`, unknown fields are
 * ignored. Durations are integer nanoseconds, as in Nomad's JSON.
 */
import { Schema, SchemaGetter } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"
import { concealDriverSecrets } from "./redactedConfig.ts"

export const Constraint = Schema.Struct({
  LTarget: nullable(Schema.String),
  RTarget: nullable(Schema.String),
  Operand: Schema.String
})
export type Constraint = typeof Constraint.Type

export const Port = Schema.Struct({
  Label: Schema.String,
  Value: nullable(Schema.Number),
  To: nullable(Schema.Number),
  HostNetwork: nullable(Schema.String)
})
export type Port = typeof Port.Type

export const NetworkResource = Schema.Struct({
  Mode: nullable(Schema.String),
  DynamicPorts: nullable(Schema.Array(Port)),
  ReservedPorts: nullable(Schema.Array(Port))
})
export type NetworkResource = typeof NetworkResource.Type

export const CheckRestart = Schema.Struct({
  Limit: nullable(Schema.Number),
  Grace: nullable(Schema.Number),
  IgnoreWarnings: nullable(Schema.Boolean)
})

export const ServiceCheck = Schema.Struct({
  Name: nullable(Schema.String),
  Type: Schema.String,
  Path: nullable(Schema.String),
  Method: nullable(Schema.String),
  PortLabel: nullable(Schema.String),
  Interval: nullable(Schema.Number),
  Timeout: nullable(Schema.Number),
  InitialStatus: nullable(Schema.String),
  CheckRestart: nullable(CheckRestart)
})
export type ServiceCheck = typeof ServiceCheck.Type

export const Service = Schema.Struct({
  Name: Schema.String,
  PortLabel: nullable(Schema.String),
  Provider: nullable(Schema.String),
  Tags: nullable(Schema.Array(Schema.String)),
  Meta: nullable(StringMap),
  AddressMode: nullable(Schema.String),
  Checks: nullable(Schema.Array(ServiceCheck))
})
export type Service = typeof Service.Type

export const RestartPolicy = Schema.Struct({
  Attempts: nullable(Schema.Number),
  Interval: nullable(Schema.Number),
  Delay: nullable(Schema.Number),
  Mode: nullable(Schema.String)
})
export type RestartPolicy = typeof RestartPolicy.Type

export const UpdateStrategy = Schema.Struct({
  Stagger: nullable(Schema.Number),
  MaxParallel: nullable(Schema.Number),
  HealthCheck: nullable(Schema.String),
  MinHealthyTime: nullable(Schema.Number),
  HealthyDeadline: nullable(Schema.Number),
  ProgressDeadline: nullable(Schema.Number),
  AutoRevert: nullable(Schema.Boolean),
  AutoPromote: nullable(Schema.Boolean),
  Canary: nullable(Schema.Number)
})
export type UpdateStrategy = typeof UpdateStrategy.Type

export const RequestedDevice = Schema.Struct({
  Name: Schema.String,
  Count: nullable(Schema.Number)
})
export type RequestedDevice = typeof RequestedDevice.Type

export const Resources = Schema.Struct({
  CPU: nullable(Schema.Number),
  MemoryMB: nullable(Schema.Number),
  MemoryMaxMB: nullable(Schema.Number),
  Devices: nullable(Schema.Array(RequestedDevice))
})
export type Resources = typeof Resources.Type

export const Template = Schema.Struct({
  EmbeddedTmpl: nullable(Schema.String),
  DestPath: nullable(Schema.String),
  ChangeMode: nullable(Schema.String),
  ChangeSignal: nullable(Schema.String),
  Perms: nullable(Schema.String),
  Splay: nullable(Schema.Number),
  Envvars: nullable(Schema.Boolean)
})
export type Template = typeof Template.Type

export const Vault = Schema.Struct({
  Policies: nullable(Schema.Array(Schema.String)),
  Role: nullable(Schema.String),
  ChangeMode: nullable(Schema.String),
  ChangeSignal: nullable(Schema.String)
})
export type Vault = typeof Vault.Type

export const LogConfig = Schema.Struct({
  MaxFiles: nullable(Schema.Number),
  MaxFileSizeMB: nullable(Schema.Number)
})

/** A group's request for a host or CSI volume, which its tasks mount with `VolumeMount`. */
export const VolumeRequest = Schema.Struct({
  Name: nullable(Schema.String),
  Type: Schema.String,
  Source: Schema.String,
  ReadOnly: nullable(Schema.Boolean),
  AccessMode: nullable(Schema.String),
  AttachmentMode: nullable(Schema.String),
  PerAlloc: nullable(Schema.Boolean)
})
export type VolumeRequest = typeof VolumeRequest.Type

export const VolumeMount = Schema.Struct({
  Volume: Schema.String,
  Destination: Schema.String,
  ReadOnly: nullable(Schema.Boolean)
})
export type VolumeMount = typeof VolumeMount.Type

/** A task driver's own config; registry passwords in it are `Redacted` once decoded. */
const DriverConfig = Schema.Record(Schema.String, Schema.Unknown).pipe(
  Schema.decode({
    decode: SchemaGetter.transform(concealDriverSecrets),
    encode: SchemaGetter.transform((config: Readonly<Record<string, unknown>>) => config)
  })
)

export const Task = Schema.Struct({
  Name: Schema.String,
  Driver: Schema.String,
  Config: nullable(DriverConfig),
  Env: nullable(StringMap),
  Resources: nullable(Resources),
  Templates: nullable(Schema.Array(Template)),
  Vault: nullable(Vault),
  LogConfig: nullable(LogConfig),
  Meta: nullable(StringMap),
  KillTimeout: nullable(Schema.Number),
  Services: nullable(Schema.Array(Service)),
  VolumeMounts: nullable(Schema.Array(VolumeMount))
})
export type Task = typeof Task.Type

export const EphemeralDisk = Schema.Struct({
  SizeMB: nullable(Schema.Number)
})

/** A group's `scaling` block, for the Nomad Autoscaler; Nomad keeps `Policy` as it was given, opaque. */
export const GroupScaling = Schema.Struct({
  Min: nullable(Schema.Number),
  Max: nullable(Schema.Number),
  Enabled: nullable(Schema.Boolean),
  Type: nullable(Schema.String),
  Policy: nullable(Schema.Record(Schema.String, Schema.Unknown))
})
export type GroupScaling = typeof GroupScaling.Type

export const TaskGroup = Schema.Struct({
  Name: Schema.String,
  Count: nullable(Schema.Number),
  Networks: nullable(Schema.Array(NetworkResource)),
  Services: nullable(Schema.Array(Service)),
  RestartPolicy: nullable(RestartPolicy),
  Update: nullable(UpdateStrategy),
  EphemeralDisk: nullable(EphemeralDisk),
  Constraints: nullable(Schema.Array(Constraint)),
  Meta: nullable(StringMap),
  Volumes: nullable(Schema.Record(Schema.String, VolumeRequest)),
  Scaling: nullable(GroupScaling),
  Tasks: Schema.Array(Task)
})
export type TaskGroup = typeof TaskGroup.Type

export const Job = Schema.Struct({
  ID: Schema.String,
  Name: nullable(Schema.String),
  Namespace: nullable(Schema.String),
  Region: nullable(Schema.String),
  Type: nullable(Schema.String),
  Priority: nullable(Schema.Number),
  Datacenters: nullable(Schema.Array(Schema.String)),
  Meta: nullable(StringMap),
  Constraints: nullable(Schema.Array(Constraint)),
  Update: nullable(UpdateStrategy),
  TaskGroups: nullable(Schema.Array(TaskGroup)),
  Stop: nullable(Schema.Boolean),
  Status: nullable(Schema.String),
  Version: nullable(Schema.Number),
  SubmitTime: nullable(Schema.Number),
  CreateIndex: nullable(Schema.Number),
  ModifyIndex: nullable(Schema.Number),
  JobModifyIndex: nullable(Schema.Number)
})
export type Job = typeof Job.Type
