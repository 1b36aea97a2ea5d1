/**
 * Turns a register body's `Job` into the job Nomad stores: decoded as
 * `api.Job`, defaulted as `Canonicalize` does on the agent and the server,
 * then with every struct field present. What a later read returns is this.
 */
import { field, isObject, type JsonObject } from "./http.ts"
import { decodeStruct, withZeros } from "./jobSchema.ts"
import type { SimJob, SimTaskGroup } from "./model.ts"

const second = 1_000_000_000
const minute = 60 * second

const restartDefaults = (type: string): JsonObject =>
  type === "batch" || type === "sysbatch"
    ? { Attempts: 3, Interval: 24 * 60 * minute, Delay: 15 * second, Mode: "fail", RenderTemplates: false }
    : { Attempts: 2, Interval: 30 * minute, Delay: 15 * second, Mode: "fail", RenderTemplates: false }

const rescheduleDefaults = (type: string): JsonObject | null =>
  type === "service"
    ? {
      Attempts: 0,
      Interval: 0,
      Delay: 30 * second,
      DelayFunction: "exponential",
      MaxDelay: 60 * minute,
      Unlimited: true
    }
    : type === "batch"
    ? {
      Attempts: 1,
      Interval: 24 * 60 * minute,
      Delay: 5 * second,
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: false
    }
    : null

const updateDefaults: JsonObject = {
  Stagger: 30 * second,
  MaxParallel: 1,
  HealthCheck: "checks",
  MinHealthyTime: 10 * second,
  HealthyDeadline: 5 * minute,
  ProgressDeadline: 10 * minute,
  AutoRevert: false,
  AutoPromote: false,
  Canary: 0
}

const migrateDefaults: JsonObject = {
  MaxParallel: 1,
  HealthCheck: "checks",
  MinHealthyTime: 10 * second,
  HealthyDeadline: 5 * minute
}

const objectOrUndefined = (value: unknown): JsonObject | undefined => (isObject(value) ? value : undefined)

/** `base` overridden by whatever `over` sets, as the api structs' `Merge` methods do. */
const merge = (base: JsonObject | null, ...overs: ReadonlyArray<JsonObject | undefined>): JsonObject | null => {
  let out = base
  for (const over of overs) if (over !== undefined) out = { ...out, ...over }
  return out
}

/** An empty map is stored as nil: Nomad treats both alike and reads back `null`. */
const nilIfEmpty = (value: unknown): unknown => (isObject(value) && Object.keys(value).length === 0 ? null : value)

const canonicalService = (service: JsonObject, defaultName: string): JsonObject => {
  const out: JsonObject = { ...service }
  out.Name = service.Name || defaultName
  out.AddressMode = service.AddressMode || "auto"
  out.Provider = service.Provider || "consul"
  out.OnUpdate = service.OnUpdate || "require_healthy"
  if (out.Provider === "consul") out.Cluster = service.Cluster || "default"
  if (Array.isArray(service.Checks)) {
    out.Checks = service.Checks.map((check: unknown) => {
      if (!isObject(check)) return check
      return {
        ...check,
        Name: check.Name || `service: "${String(out.Name)}" check`,
        OnUpdate: check.OnUpdate || out.OnUpdate
      }
    })
  }
  return out
}

const canonicalTask = (task: JsonObject, group: JsonObject, jobName: string): JsonObject => {
  const out: JsonObject = { ...task }
  out.KillTimeout = task.KillTimeout ?? 5 * second
  out.LogConfig = merge({ MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false }, objectOrUndefined(task.LogConfig))
  const resources = objectOrUndefined(task.Resources)
  out.Resources = {
    ...resources,
    CPU: resources?.CPU ?? (typeof resources?.Cores === "number" && resources.Cores > 0 ? 0 : 100),
    MemoryMB: resources?.MemoryMB ?? 300
  }
  out.RestartPolicy = merge(objectOrUndefined(group.RestartPolicy) ?? null, objectOrUndefined(task.RestartPolicy))
  out.Meta = nilIfEmpty(task.Meta)
  out.Env = nilIfEmpty(task.Env)
  const taskName = typeof task.Name === "string" ? task.Name : ""
  if (Array.isArray(task.Services)) {
    out.Services = task.Services.map((svc: unknown) =>
      isObject(svc) ? canonicalService(svc, `${jobName}-${String(group.Name)}-${taskName}`) : svc
    )
  }
  if (Array.isArray(task.Templates)) {
    out.Templates = task.Templates.map((t: unknown) =>
      isObject(t)
        ? { ChangeMode: "restart", Splay: 5 * second, Perms: "0644", LeftDelim: "{{", RightDelim: "}}", ...t }
        : t
    )
  }
  if (Array.isArray(task.VolumeMounts)) {
    // The agent keeps mounts that name a volume, with VolumeMount.Canonicalize's defaults.
    out.VolumeMounts = task.VolumeMounts.filter((m: unknown) => isObject(m) && typeof m.Volume === "string").map((
      m: unknown
    ) => ({ ReadOnly: false, PropagationMode: "private", SELinuxLabel: "", ...(m as JsonObject) }))
  }
  if (isObject(task.Vault)) out.Vault = { ChangeMode: "restart", Env: true, Cluster: "default", ...task.Vault }
  if (Array.isArray(task.Artifacts)) {
    out.Artifacts = task.Artifacts.map((
      a: unknown
    ) => (isObject(a) ? { GetterMode: "any", RelativeDest: "local/", ...a } : a))
  }
  return out
}

/** Job-level blocks `api.Job` has but the stored job does not: they are merged into each group. */
interface JobLevel {
  readonly update: JsonObject | undefined
  readonly migrate: JsonObject | undefined
  readonly reschedule: JsonObject | undefined
}

const canonicalGroup = (group: JsonObject, job: JsonObject, jobLevel: JobLevel): JsonObject => {
  const type = String(job.Type)
  const out: JsonObject = { ...group }
  const scaling = objectOrUndefined(group.Scaling)
  out.Count = group.Count ?? scaling?.Min ?? 1
  if (scaling !== undefined) {
    out.Scaling = {
      Type: "horizontal",
      Enabled: true,
      ...scaling,
      Min: scaling.Min ?? out.Count,
      Target: { Namespace: job.Namespace, Job: job.ID, Group: group.Name }
    }
  }
  out.RestartPolicy = merge(restartDefaults(type), objectOrUndefined(group.RestartPolicy))
  out.ReschedulePolicy = merge(rescheduleDefaults(type), jobLevel.reschedule, objectOrUndefined(group.ReschedulePolicy))
  out.EphemeralDisk = merge({ Sticky: false, SizeMB: 300, Migrate: false }, objectOrUndefined(group.EphemeralDisk))
  const update = merge(null, jobLevel.update, objectOrUndefined(group.Update))
  out.Update = type === "service" && update !== null ? { ...updateDefaults, ...update } : null
  out.Migrate = type === "service"
    ? merge(migrateDefaults, jobLevel.migrate, objectOrUndefined(group.Migrate))
    : objectOrUndefined(group.Migrate) ?? null
  out.Meta = nilIfEmpty(group.Meta)
  if (isObject(group.Volumes)) {
    // The agent drops a volume of a type it does not know (`ApiTgToStructsTG`), and an empty map is nil.
    const known = Object.entries(group.Volumes).filter(([, v]) =>
      isObject(v) && (v.Type === "host" || v.Type === "csi")
    )
    out.Volumes = known.length === 0 ? null : Object.fromEntries(known)
  }
  if (Array.isArray(group.Networks)) {
    out.Networks = group.Networks.map((n: unknown) => (isObject(n) ? { ...n, Mode: n.Mode || "host" } : n))
  }
  if (Array.isArray(group.Services)) {
    out.Services = group.Services.map((svc: unknown) =>
      isObject(svc) ? canonicalService(svc, `${String(job.Name)}-${String(group.Name)}`) : svc
    )
  }
  if (Array.isArray(group.Tasks)) {
    out.Tasks = group.Tasks.filter(isObject).map((task) => canonicalTask(task, out, String(job.Name)))
  }
  return out
}

/** The stored form of a register body's job, in `namespace` and `region`. */
export const canonicalJob = (rawJob: JsonObject, namespace: string, region: string): SimJob => {
  const job = decodeStruct("Job", rawJob, "Job")
  job.Namespace = namespace
  job.Region = region
  job.Name = job.Name ?? job.ID
  job.Type = job.Type ?? "service"
  job.Priority = job.Priority ?? 50
  if (!Array.isArray(job.Datacenters) || job.Datacenters.length === 0) job.Datacenters = ["*"]
  job.NodePool = job.NodePool || "default"
  // A service job without an update block gets the default strategy, so it rolls out with deployments.
  const update = objectOrUndefined(job.Update) ?? (job.Type === "service" ? updateDefaults : undefined)
  const rawMigrate = field(rawJob, "Migrate")
  const rawReschedule = field(rawJob, "Reschedule")
  const jobLevel: JobLevel = {
    update,
    migrate: isObject(rawMigrate) ? decodeStruct("MigrateStrategy", rawMigrate, "Job.Migrate") : undefined,
    reschedule: isObject(rawReschedule) ? decodeStruct("ReschedulePolicy", rawReschedule, "Job.Reschedule") : undefined
  }
  job.Update = typeof update?.MaxParallel === "number" && update.MaxParallel > 0
    ? { Stagger: update.Stagger ?? 30 * second, MaxParallel: update.MaxParallel }
    : {}
  if (isObject(job.Periodic)) job.Periodic = { Enabled: true, SpecType: "cron", TimeZone: "UTC", ...job.Periodic }
  if (isObject(job.ParameterizedJob)) job.ParameterizedJob = { Payload: "optional", ...job.ParameterizedJob }
  job.Meta = nilIfEmpty(job.Meta)
  if (Array.isArray(job.TaskGroups)) {
    job.TaskGroups = job.TaskGroups.filter(isObject).map((g) => canonicalGroup(g, job, jobLevel))
  }
  return withZeros("Job", job) as SimJob
}

/** JSON with sorted keys: equal values give equal text. */
export const stableJson = (value: unknown): string =>
  JSON.stringify(
    value,
    (_key, v: unknown) => isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v
  )

/** What `SpecChanged` compares: the job without status, version, indexes and submit time. */
export const specOf = (job: SimJob): string =>
  stableJson({
    ...job,
    Status: null,
    StatusDescription: null,
    Stable: null,
    Version: null,
    SubmitTime: null,
    CreateIndex: null,
    ModifyIndex: null,
    JobModifyIndex: null
  })

/** What decides whether an allocation must be replaced: the group without its count and rollout knobs, and placement. */
export const groupSpecKey = (job: SimJob, group: SimTaskGroup): string =>
  stableJson([
    { ...group, Count: null, Scaling: null, Update: null, Migrate: null, ReschedulePolicy: null },
    job.Meta,
    job.Datacenters,
    job.NodePool,
    job.Constraints,
    job.Affinities,
    job.Spreads
  ])
