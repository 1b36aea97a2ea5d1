/**
 * What Nomad's admission validators refuse in a job, with their texts, and
 * the warnings a register answer carries. Errors come back as one flattened
 * go-multierror list, in the order the validators run.
 */
import type { SimJob, SimTask, SimTaskGroup } from "./model.ts"

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

const taskErrors = (task: SimTask): Array<string> => {
  const errors: Array<string> = []
  if (task.Name === "") errors.push("Missing task name")
  else if (task.Name.includes("/")) errors.push("Task name cannot include slashes")
  if (task.Driver === "") errors.push("Missing task driver")
  if (typeof task.KillTimeout === "number" && task.KillTimeout < 0) errors.push("KillTimeout must be a positive value")
  return errors
}

const groupErrors = (group: SimTaskGroup): Array<string> => {
  const errors: Array<string> = []
  if (group.Name === "") errors.push("Missing task group name")
  if (group.Count < 0) errors.push("Task group count can't be negative")
  const tasks = group.Tasks ?? []
  if (tasks.length === 0) errors.push("Missing tasks for task group")
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
  const seen = new Map<string, number>()
  tasks.forEach((task, index) => {
    if (task.Name === "") errors.push(`Task ${index + 1} missing name`)
    else if (seen.has(task.Name)) {
      errors.push(`Task ${index + 1} redefines '${task.Name}' from task ${seen.get(task.Name)! + 1}`)
    } else seen.set(task.Name, index)
  })
  for (const task of tasks) {
    const inner = taskErrors(task)
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
    const inner = groupErrors(group)
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
