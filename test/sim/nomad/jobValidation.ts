/**
 * What Nomad's admission validators refuse in a job, with their texts (the
 * update strategy, volume requests and the mounts naming them included), and
 * the warnings a register answer carries. Errors come back as one flattened
 * go-multierror list, in the order the validators run.
 */
import { formatGoDuration as d } from "../GoFormat.ts"
import type { SimJob, SimTask, SimTaskGroup, SimUpdateStrategy, SimVolumeMount, SimVolumeRequest } from "./model.ts"

/** go-multierror's `ListFormatFunc`. */
export const multierror = (errors: ReadonlyArray<string>): string =>
  errors.length === 1
    ? `1 error occurred:\n\t* ${errors[0]}\n\n`
    : `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join("\n\t")}\n\n`

/** `helper.MergeMultierrorWarnings`: `""` when there are none. */
export const warningsText = (warnings: ReadonlyArray<string>): string =>
  warnings.length === 0
    ? ""
    : `${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`}:\n${
      warnings.map((w) => `\n* ${w.trim()}`).join("")
    }`

const jobTypes = ["core", "service", "batch", "system", "sysbatch"]

const propagationModes = ["", "private", "host-to-task", "bidirectional"]

/** `VolumeMount.Validate`: its own multierror, quoted into the task's error. */
const volumeMountErrors = (mount: SimVolumeMount) => {
  const errors: Array<string> = []
  if (mount.Volume === "") errors.push("volume mount references an empty volume")
  if (!propagationModes.includes(mount.PropagationMode)) {
    errors.push(`volume mount has an invalid propagation mode: ${JSON.stringify(mount.PropagationMode)}`)
  }
  if (!["", "z", "Z"].includes(mount.SELinuxLabel)) {
    errors.push(`volume mount has an invalid SELinux label: "${mount.SELinuxLabel}"`)
  }
  return errors
}

const taskErrors = (task: SimTask, group: SimTaskGroup): Array<string> => {
  const errors: Array<string> = []
  if (task.Name === "") errors.push("Missing task name")
  else if (task.Name.includes("/")) errors.push("Task name cannot include slashes")
  if (task.Driver === "") errors.push("Missing task driver")
  if (typeof task.KillTimeout === "number" && task.KillTimeout < 0) errors.push("KillTimeout must be a positive value")
  ;(task.VolumeMounts ?? []).forEach((mount, index) => {
    if (group.Volumes?.[mount.Volume] === undefined) {
      errors.push(`Volume Mount (${index}) references undefined volume ${mount.Volume}`)
    }
    const invalid = volumeMountErrors(mount)
    if (invalid.length > 0) errors.push(`Volume Mount (${index}) is invalid: "${multierror(invalid)}"`)
  })
  return errors
}

/** `UpdateStrategy.Validate`; its errors join the group's own list, as go-multierror flattens them. */
const updateErrors = (u: SimUpdateStrategy): Array<string> => {
  const errors: Array<string> = []
  if (!["checks", "task_states", "manual"].includes(u.HealthCheck)) {
    errors.push(`Invalid health check given: ${JSON.stringify(u.HealthCheck)}`)
  }
  if (u.MaxParallel < 0) errors.push(`Max parallel can not be less than zero: ${u.MaxParallel} < 0`)
  if (u.Canary < 0) errors.push(`Canary count can not be less than zero: ${u.Canary} < 0`)
  if (u.Canary === 0 && u.AutoPromote) errors.push("Auto Promote requires a Canary count greater than zero")
  if (u.MinHealthyTime < 0) errors.push(`Minimum healthy time may not be less than zero: ${d(u.MinHealthyTime)}`)
  if (u.HealthyDeadline <= 0) errors.push(`Healthy deadline must be greater than zero: ${d(u.HealthyDeadline)}`)
  if (u.ProgressDeadline < 0) errors.push(`Progress deadline must be zero or greater: ${d(u.ProgressDeadline)}`)
  if (u.MinHealthyTime >= u.HealthyDeadline) {
    errors.push(
      `Minimum healthy time must be less than healthy deadline: ${d(u.MinHealthyTime)} > ${d(u.HealthyDeadline)}`
    )
  }
  if (u.ProgressDeadline !== 0 && u.HealthyDeadline >= u.ProgressDeadline) {
    errors.push(
      `Healthy deadline must be less than progress deadline: ${d(u.HealthyDeadline)} > ${d(u.ProgressDeadline)}`
    )
  }
  if (u.Stagger <= 0) errors.push(`Stagger must be greater than zero: ${d(u.Stagger)}`)
  return errors
}

const hostAccessModes = [
  "",
  "single-node-reader-only",
  "single-node-writer",
  "single-node-single-writer",
  "single-node-multi-writer"
]

/** `VolumeRequest.Validate(jobType, count, canaries)`. */
const volumeErrors = (v: SimVolumeRequest, jobType: string, count: number, canaries: number): Array<string> => {
  const errors: Array<string> = []
  if (v.Source === "") errors.push("volume has an empty source")
  if (v.PerAlloc) {
    if (jobType === "system" || jobType === "sysbatch") {
      errors.push("volume cannot be per_alloc for system or sysbatch jobs")
    }
    if (canaries > 0) errors.push("volume cannot be per_alloc when canaries are in use")
    if (v.Sticky) errors.push("volume cannot be per_alloc and sticky at the same time")
  }
  const readerOnly = (mode: string) => {
    if (!v.ReadOnly) errors.push(`${mode} volumes must be read-only`)
  }
  if (v.Type === "host") {
    if (v.MountOptions !== null) errors.push("host volumes cannot have mount options")
    if (v.AccessMode === "single-node-reader-only") readerOnly(v.AccessMode)
    else if (!hostAccessModes.includes(v.AccessMode)) {
      errors.push(`host volumes cannot be mounted with ${v.AccessMode} access mode`)
    }
    return errors
  }
  if (v.AttachmentMode === "") errors.push("CSI volumes must have an attachment mode")
  else if (v.AttachmentMode === "block-device" && v.MountOptions !== null) {
    errors.push("block devices cannot have mount options")
  }
  const shared = count > 1 && !v.PerAlloc
  switch (v.AccessMode) {
    case "":
      errors.push("CSI volumes must have an access mode")
      break
    case "single-node-reader-only":
      readerOnly(v.AccessMode)
      if (shared) errors.push(`volume with ${v.AccessMode} access mode allows only one reader`)
      break
    case "single-node-writer":
      if (shared) errors.push(`volume with ${v.AccessMode} access mode allows only one reader or writer`)
      break
    case "multi-node-reader-only":
      readerOnly(v.AccessMode)
      break
    case "multi-node-single-writer":
      if (!v.ReadOnly && shared) errors.push(`volume with ${v.AccessMode} access mode allows only one writer`)
      break
  }
  return errors
}

const updateAllowed = (type: string) => type === "service" || type === "system"

const groupErrors = (group: SimTaskGroup, jobType: string): Array<string> => {
  const errors: Array<string> = []
  if (group.Name === "") errors.push("Missing task group name")
  if (group.Count < 0) errors.push("Task group count can't be negative")
  const tasks = group.Tasks ?? []
  if (tasks.length === 0) errors.push("Missing tasks for task group")
  if (group.Update !== null) {
    if (!updateAllowed(jobType)) errors.push(`Job type ${JSON.stringify(jobType)} does not allow update block`)
    errors.push(...updateErrors(group.Update))
  }
  const seen = new Map<string, number>()
  tasks.forEach((task, index) => {
    if (task.Name === "") errors.push(`Task ${index + 1} missing name`)
    else if (seen.has(task.Name)) {
      errors.push(`Task ${index + 1} redefines '${task.Name}' from task ${seen.get(task.Name)! + 1}`)
    } else seen.set(task.Name, index)
  })
  // Go ranges over the map in no order; the simulator goes by name so its answers repeat.
  for (const [name, volume] of Object.entries(group.Volumes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const inner = volumeErrors(volume, jobType, group.Count, group.Update?.Canary ?? 0)
    if (inner.length > 0) errors.push(`Task group volume validation for ${name} failed: ${multierror(inner)}`)
  }
  const scaling = group.Scaling
  if (scaling !== null) {
    if (scaling.Min > scaling.Max) {
      errors.push("Scaling policy invalid: maximum count must not be less than minimum count")
    }
    if (group.Count < scaling.Min) {
      errors.push("Scaling policy invalid: task group count must not be less than minimum count in scaling policy")
    }
    if (scaling.Max < group.Count) {
      errors.push("Scaling policy invalid: task group count must not be greater than maximum count in scaling policy")
    }
  }
  for (const task of tasks) {
    const inner = taskErrors(task, group)
    if (inner.length > 0) errors.push(`Task ${task.Name} validation failed: ${multierror(inner)}`)
  }
  return errors
}

/** `job.Validate()` plus the `validate` admission hook's own checks. */
const jobErrors = (job: SimJob): Array<string> => {
  const errors: Array<string> = []
  if (job.ID === "") errors.push("Missing job ID")
  else if (job.ID.includes(" ")) errors.push("Job ID contains a space")
  else if (job.ID.includes("\u0000")) errors.push("Job ID contains a null character")
  if (job.Name === "") errors.push("Missing job name")
  if (job.Type === "") errors.push("Missing job type")
  else if (!jobTypes.includes(job.Type)) errors.push(`Invalid job type: ${JSON.stringify(job.Type)}`)
  if (job.Datacenters.some((dc) => dc === "")) errors.push("Job datacenter must be non-empty string")
  const groups = job.TaskGroups ?? []
  if (groups.length === 0) errors.push("Missing job task groups")
  const seen = new Map<string, number>()
  groups.forEach((group, index) => {
    if (group.Name === "") errors.push(`Job task group ${index + 1} missing name`)
    else if (seen.has(group.Name)) {
      errors.push(`Job task group ${index + 1} redefines '${group.Name}' from group ${seen.get(group.Name)! + 1}`)
    } else seen.set(group.Name, index)
    if (job.Type === "system" && group.Count > 1) {
      errors.push(`Job task group ${group.Name} has count ${group.Count}. Count cannot exceed 1 with system scheduler`)
    }
  })
  for (const group of groups) {
    const inner = groupErrors(group, job.Type)
    if (inner.length > 0) errors.push(`Task group ${group.Name} validation failed: ${multierror(inner)}`)
  }
  if (job.Periodic !== null && job.Periodic.Enabled === true && job.Type !== "batch") {
    errors.push(`Periodic can only be used with "batch" scheduler`)
  }
  if (job.ParameterizedJob !== null && job.Type !== "batch") {
    errors.push(`Parameterized job can only be used with "batch" scheduler`)
  }
  if (job.Type === "core") errors.push("job type cannot be core")
  if (job.Priority < 1 || job.Priority > 100) errors.push("job priority must be between [1, 100]")
  return errors
}

const tasksOf = (job: SimJob): Array<readonly [SimTaskGroup, SimTask]> =>
  (job.TaskGroups ?? []).flatMap((g) => (g.Tasks ?? []).map((t) => [g, t] as const))

/** Every admission validator's errors, flattened in the order they run. */
export const admissionErrors = (job: SimJob, namespaceExists: boolean): Array<string> => {
  const missing = `job ${JSON.stringify(job.ID)} is in nonexistent namespace ${JSON.stringify(job.Namespace)}`
  const errors: Array<string> = []
  // The Vault hook looks the namespace up only for jobs with a vault block; the constraint hook always does.
  if (!namespaceExists && tasksOf(job).some(([, t]) => t.Vault !== null)) errors.push(missing)
  if (!namespaceExists) errors.push(missing)
  errors.push(...jobErrors(job))
  return errors
}

/** What a register answer warns about; memory oversubscription is off in a default scheduler configuration. */
export const jobWarnings = (job: SimJob, memoryOversubscription: boolean): Array<string> => {
  if (memoryOversubscription) return []
  return tasksOf(job)
    .filter(([, t]) => typeof t.Resources?.MemoryMaxMB === "number" && t.Resources.MemoryMaxMB !== 0)
    .map(([g, t]) =>
      `Memory oversubscription is not enabled; Task "${g.Name}.${t.Name}" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.`
    )
}
