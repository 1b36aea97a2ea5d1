/**
 * The fields of Nomad's job structs and their Go types: what a register body
 * is decoded into (unknown keys dropped, keys matched case-insensitively,
 * mistyped values refused with Go's error) and what every job read carries
 * (every field, zero-valued when unset, as Go encodes a struct).
 */
import { field, isObject, type JsonObject, typeError } from "./http.ts"

const s = "string"
const b = "bool"
const i = "int"
const i64 = "int64"
const u64 = "uint64"
const strings = "[]string"
const smap = "map[string]string"

export const structs: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Job: {
    Stop: b,
    Region: s,
    Namespace: s,
    ID: s,
    ParentID: s,
    Name: s,
    Type: s,
    Priority: i,
    AllAtOnce: b,
    Datacenters: strings,
    NodePool: s,
    Constraints: "[]Constraint",
    Affinities: "[]Affinity",
    Spreads: "[]Spread",
    TaskGroups: "[]TaskGroup",
    Update: "UpdateStrategy",
    Multiregion: "any",
    Periodic: "*PeriodicConfig",
    ParameterizedJob: "*ParameterizedJobConfig",
    Dispatched: b,
    DispatchIdempotencyToken: s,
    Payload: "[]byte",
    Meta: smap,
    ConsulToken: s,
    ConsulNamespace: s,
    VaultToken: s,
    VaultNamespace: s,
    NomadTokenID: s,
    Status: s,
    StatusDescription: s,
    Stable: b,
    Version: u64,
    SubmitTime: i64,
    CreateIndex: u64,
    ModifyIndex: u64,
    JobModifyIndex: u64,
    UI: "any",
    VersionTag: "any"
  },
  TaskGroup: {
    Name: s,
    Count: i,
    Update: "*UpdateStrategy",
    Migrate: "*MigrateStrategy",
    Constraints: "[]Constraint",
    Scaling: "*ScalingPolicy",
    RestartPolicy: "*RestartPolicy",
    Disconnect: "any",
    Tasks: "[]Task",
    EphemeralDisk: "*EphemeralDisk",
    Meta: smap,
    ReschedulePolicy: "*ReschedulePolicy",
    Affinities: "[]Affinity",
    Spreads: "[]Spread",
    Networks: "[]NetworkResource",
    Consul: "any",
    Services: "[]Service",
    Volumes: "map[string]*VolumeRequest",
    ShutdownDelay: "any",
    StopAfterClientDisconnect: "any",
    MaxClientDisconnect: "any",
    PreventRescheduleOnLost: b
  },
  Task: {
    Name: s,
    Driver: s,
    User: s,
    Config: "any",
    Env: smap,
    Services: "[]Service",
    Vault: "*Vault",
    Consul: "any",
    Templates: "[]Template",
    Constraints: "[]Constraint",
    Affinities: "[]Affinity",
    Resources: "*Resources",
    RestartPolicy: "*RestartPolicy",
    DispatchPayload: "*DispatchPayloadConfig",
    Lifecycle: "*TaskLifecycleConfig",
    Meta: smap,
    KillTimeout: i64,
    LogConfig: "*LogConfig",
    Artifacts: "[]TaskArtifact",
    Leader: b,
    ShutdownDelay: i64,
    VolumeMounts: "[]VolumeMount",
    ScalingPolicies: "any",
    KillSignal: s,
    Kind: s,
    CSIPluginConfig: "any",
    Identity: "any",
    Identities: "any",
    Actions: "any",
    Schedule: "any"
  },
  Service: {
    Name: s,
    TaskName: s,
    PortLabel: s,
    AddressMode: s,
    Address: s,
    EnableTagOverride: b,
    Tags: strings,
    CanaryTags: strings,
    Checks: "[]ServiceCheck",
    Connect: "any",
    Meta: smap,
    CanaryMeta: smap,
    TaggedAddresses: smap,
    Namespace: s,
    OnUpdate: s,
    Provider: s,
    Cluster: s,
    Identity: "any",
    Kind: s,
    Weights: "any"
  },
  ServiceCheck: {
    Name: s,
    Type: s,
    Command: s,
    Args: strings,
    Path: s,
    Protocol: s,
    PortLabel: s,
    Expose: b,
    AddressMode: s,
    Interval: i64,
    Timeout: i64,
    InitialStatus: s,
    TLSServerName: s,
    TLSSkipVerify: b,
    Method: s,
    Header: "any",
    CheckRestart: "*CheckRestart",
    GRPCService: s,
    GRPCUseTLS: b,
    TaskName: s,
    SuccessBeforePassing: i,
    FailuresBeforeCritical: i,
    FailuresBeforeWarning: i,
    Body: s,
    OnUpdate: s
  },
  CheckRestart: { Limit: i, Grace: i64, IgnoreWarnings: b },
  NetworkResource: {
    Mode: s,
    Device: s,
    CIDR: s,
    IP: s,
    Hostname: s,
    MBits: i,
    DNS: "any",
    ReservedPorts: "[]Port",
    DynamicPorts: "[]Port",
    CNI: "any"
  },
  Port: { Label: s, Value: i, To: i, HostNetwork: s, IgnoreCollision: b },
  Resources: {
    CPU: i,
    Cores: i,
    MemoryMB: i,
    MemoryMaxMB: i,
    DiskMB: i,
    IOPS: i,
    Networks: "[]NetworkResource",
    Devices: "any",
    NUMA: "any",
    SecretsMB: i
  },
  Constraint: { LTarget: s, RTarget: s, Operand: s },
  Affinity: { LTarget: s, RTarget: s, Operand: s, Weight: i },
  Spread: { Attribute: s, Weight: i, SpreadTarget: "any" },
  UpdateStrategy: {
    Stagger: i64,
    MaxParallel: i,
    HealthCheck: s,
    MinHealthyTime: i64,
    HealthyDeadline: i64,
    ProgressDeadline: i64,
    AutoRevert: b,
    AutoPromote: b,
    Canary: i
  },
  VolumeRequest: {
    Name: s,
    Type: s,
    Source: s,
    ReadOnly: b,
    Sticky: b,
    AccessMode: s,
    AttachmentMode: s,
    MountOptions: "*CSIMountOptions",
    PerAlloc: b
  },
  CSIMountOptions: { FSType: s, MountFlags: strings },
  VolumeMount: { Volume: s, Destination: s, ReadOnly: b, PropagationMode: s, SELinuxLabel: s },
  MigrateStrategy: { MaxParallel: i, HealthCheck: s, MinHealthyTime: i64, HealthyDeadline: i64 },
  RestartPolicy: { Attempts: i, Interval: i64, Delay: i64, Mode: s, RenderTemplates: b },
  ReschedulePolicy: { Attempts: i, Interval: i64, Delay: i64, DelayFunction: s, MaxDelay: i64, Unlimited: b },
  EphemeralDisk: { Sticky: b, SizeMB: i, Migrate: b },
  LogConfig: { MaxFiles: i, MaxFileSizeMB: i, Disabled: b },
  Template: {
    SourcePath: s,
    DestPath: s,
    EmbeddedTmpl: s,
    ChangeMode: s,
    ChangeSignal: s,
    ChangeScript: "any",
    Splay: i64,
    Perms: s,
    Uid: "any",
    Gid: "any",
    LeftDelim: s,
    RightDelim: s,
    Envvars: b,
    VaultGrace: i64,
    Wait: "any",
    ErrMissingKey: b,
    Once: b
  },
  Vault: {
    Role: s,
    Policies: strings,
    Namespace: s,
    Cluster: s,
    Env: b,
    DisableFile: b,
    ChangeMode: s,
    ChangeSignal: s,
    AllowTokenExpiration: b
  },
  TaskArtifact: {
    GetterSource: s,
    GetterOptions: smap,
    GetterHeaders: smap,
    GetterMode: s,
    GetterInsecure: b,
    RelativeDest: s,
    Chown: b
  },
  TaskLifecycleConfig: { Hook: s, Sidecar: b },
  DispatchPayloadConfig: { File: s },
  PeriodicConfig: { Enabled: b, Spec: s, Specs: strings, SpecType: s, ProhibitOverlap: b, TimeZone: s },
  ParameterizedJobConfig: { Payload: s, MetaRequired: strings, MetaOptional: strings },
  ScalingPolicy: {
    ID: s,
    Type: s,
    Target: smap,
    Policy: "any",
    Min: i64,
    Max: i64,
    Enabled: b,
    CreateIndex: u64,
    ModifyIndex: u64
  }
}

const structOf = (type: string): string | undefined => {
  const name = type.replace(/^\[\]|^\*|^map\[string\]\*/, "")
  return structs[name] === undefined ? undefined : name
}

const goTypeName = (type: string): string => {
  const name = structOf(type)
  if (name === undefined) return type
  return type.startsWith("[]") ? `[]*api.${name}` : type.startsWith("map[") ? `map[string]*api.${name}` : `api.${name}`
}

/** Decodes one field; `undefined` for an absent or null value, which Canonicalize then defaults. */
const decodeField = (type: string, value: unknown, struct: string, path: string): unknown => {
  if (value === null || value === undefined || type === "any") return value ?? undefined
  const fail = (): never => {
    throw typeError(value, `${struct}.${path}`, goTypeName(type))
  }
  switch (type) {
    case "string":
    case "[]byte":
      return typeof value === "string" ? value : fail()
    case "bool":
      return typeof value === "boolean" ? value : fail()
    case "int":
    case "int64":
    case "uint64":
      return typeof value === "number" && Number.isInteger(value) && (type !== "uint64" || value >= 0) ? value : fail()
    case "[]string":
      return Array.isArray(value) ? value.map((v) => (v === null ? "" : typeof v === "string" ? v : fail())) : fail()
    case "map[string]string":
      if (!isObject(value)) return fail()
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, v === null ? "" : typeof v === "string" ? v : fail()])
      )
  }
  const name = structOf(type)
  if (name === undefined) return value
  if (type.startsWith("map[")) {
    if (!isObject(value)) return fail()
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, v === null ? null : isObject(v) ? decodeStruct(name, v, path) : fail()])
    )
  }
  if (type.startsWith("[]")) {
    if (!Array.isArray(value)) return fail()
    return value.map((v) => (v === null ? null : isObject(v) ? decodeStruct(name, v, path) : fail()))
  }
  return isObject(value) ? decodeStruct(name, value, path) : fail()
}

/** The fields of `value` that struct `name` has, decoded; absent and null ones left out. */
export const decodeStruct = (name: string, value: JsonObject, path: string): JsonObject => {
  const out: JsonObject = {}
  for (const [fieldName, type] of Object.entries(structs[name] ?? {})) {
    const decoded = decodeField(type, field(value, fieldName), name, path === "" ? fieldName : `${path}.${fieldName}`)
    if (decoded !== undefined) out[fieldName] = decoded
  }
  return out
}

const zeroOf = (type: string): unknown => {
  switch (type) {
    case "string":
      return ""
    case "bool":
      return false
    case "int":
    case "int64":
    case "uint64":
      return 0
  }
  const name = structOf(type)
  return name !== undefined && !/^(\[\]|\*|map\[)/.test(type) ? withZeros(name, {}) : null
}

/** `value` with every field of struct `name` present, in the struct's order, as Go encodes it. */
export const withZeros = (name: string, value: JsonObject): JsonObject => {
  const out: JsonObject = {}
  for (const [fieldName, type] of Object.entries(structs[name] ?? {})) {
    const current = value[fieldName]
    const inner = structOf(type)
    if (current === undefined) out[fieldName] = zeroOf(type)
    else if (inner !== undefined && type.startsWith("map[") && isObject(current)) {
      out[fieldName] = Object.fromEntries(
        Object.entries(current).map(([k, v]) => [k, isObject(v) ? withZeros(inner, v) : v])
      )
    } else if (inner !== undefined && Array.isArray(current)) {
      out[fieldName] = current.map((v) => (isObject(v) ? withZeros(inner, v) : v))
    } else if (inner !== undefined && isObject(current)) out[fieldName] = withZeros(inner, current)
    else out[fieldName] = current
  }
  return out
}
