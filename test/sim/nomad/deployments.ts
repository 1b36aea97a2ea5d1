/**
 * Deployments, as far as the simulator keeps them: a job version whose update
 * must place canaries (a destructive change to a group whose update block asks
 * for them) gets one. It runs until its canaries are promoted, by hand
 * (`POST /v1/deployment/promote/:id`) or, with `AutoPromote`, once they are all
 * healthy, and then until every instance of the group is a healthy one of the
 * new version. A newer job version, or a stop, cancels it and stops its
 * unpromoted canaries. While one runs the job cannot be scaled, as Nomad's
 * `Job.Scale` refuses. Other rollouts complete at once here and record no
 * deployment (`blockScaling` stands in for them); deployments do not fail or
 * revert here.
 */
import { randomUUID } from "node:crypto"
import { multierror } from "./jobValidation.ts"
import type { DeploymentGroupState, DeploymentRecord, SimJob, SimTaskGroup } from "./model.ts"
import { nowNanos, rfc3339, type Store } from "./store.ts"

export const statusDescriptions = {
  running: "Deployment is running",
  needsPromotion: "Deployment is running but requires manual promotion",
  autoPromotion: "Deployment is running pending automatic promotion",
  successful: "Deployment completed successfully",
  stoppedJob: "Cancelled because job is stopped",
  newerJob: "Cancelled due to newer version of job"
} as const

/** The canaries a group's update asks for; none when its update block is off (`MaxParallel` 0). */
export const desiredCanaries = (group: SimTaskGroup): number =>
  group.Update !== null && group.Update.MaxParallel > 0 ? group.Update.Canary : 0

const requiresPromotion = (d: DeploymentRecord) =>
  Object.values(d.TaskGroups).some((g) => g.DesiredCanaries > 0 && !g.Promoted)

const describeRunning = (d: DeploymentRecord) =>
  !requiresPromotion(d)
    ? statusDescriptions.running
    : Object.values(d.TaskGroups).every((g) => g.DesiredCanaries === 0 || g.AutoPromote)
    ? statusDescriptions.autoPromotion
    : statusDescriptions.needsPromotion

export const jobDeployments = (store: Store, namespace: string, jobId: string): Array<DeploymentRecord> =>
  [...store.deployments.values()]
    .filter((d) => d.Namespace === namespace && d.JobID === jobId)
    .sort((a, b) => b.CreateIndex - a.CreateIndex)

/** The running deployment of the job's current version, if any. */
export const activeDeployment = (store: Store, job: SimJob): DeploymentRecord | undefined =>
  jobDeployments(store, job.Namespace, job.ID).find((d) =>
    d.Status === "running" && d.JobCreateIndex === job.CreateIndex && d.JobVersion === job.Version
  )

/** Whether `Job.Scale` must refuse: the latest deployment of this instance of the job is still running. */
export const blocksScaling = (store: Store, job: SimJob): boolean => {
  const latest = jobDeployments(store, job.Namespace, job.ID)[0]
  return latest !== undefined && latest.Status === "running" && latest.JobCreateIndex === job.CreateIndex
}

const touch = (store: Store, d: DeploymentRecord): void => {
  d.ModifyIndex = store.write("deployment")
  d.ModifyTime = nowNanos()
}

const groupState = (group: SimTaskGroup, now: number): DeploymentGroupState => {
  const update = group.Update!
  return {
    AutoRevert: update.AutoRevert,
    AutoPromote: update.AutoPromote,
    ProgressDeadline: update.ProgressDeadline,
    RequireProgressBy: update.ProgressDeadline > 0
      ? rfc3339(new Date(now / 1e6 + update.ProgressDeadline / 1e6))
      : "0001-01-01T00:00:00Z",
    Promoted: false,
    PlacedCanaries: null,
    DesiredCanaries: desiredCanaries(group),
    DesiredTotal: group.Count,
    PlacedAllocs: 0,
    HealthyAllocs: 0,
    UnhealthyAllocs: 0
  }
}

/**
 * The job's current deployment with the group's canaries still to place: the
 * running one, joined by this group, or a new one for the job's version.
 */
export const deploymentForCanaries = (
  store: Store,
  current: DeploymentRecord | undefined,
  job: SimJob,
  group: SimTaskGroup
): DeploymentRecord => {
  const now = nowNanos()
  if (current !== undefined) {
    current.TaskGroups[group.Name] = groupState(group, now)
    current.StatusDescription = describeRunning(current)
    touch(store, current)
    return current
  }
  const index = store.write("deployment")
  const deployment: DeploymentRecord = {
    ID: randomUUID(),
    Namespace: job.Namespace,
    JobID: job.ID,
    JobVersion: job.Version,
    JobModifyIndex: job.JobModifyIndex,
    JobSpecModifyIndex: job.JobModifyIndex,
    JobCreateIndex: job.CreateIndex,
    IsMultiregion: false,
    TaskGroups: { [group.Name]: groupState(group, now) },
    Status: "running",
    StatusDescription: "",
    EvalPriority: job.Priority,
    CreateIndex: index,
    ModifyIndex: index,
    CreateTime: now,
    ModifyTime: now
  }
  deployment.StatusDescription = describeRunning(deployment)
  store.deployments.set(deployment.ID, deployment)
  return deployment
}

/**
 * Cancels the running deployments of an older version (or of a stopped or
 * purged job); returns the canaries they placed and never promoted, which
 * must stop.
 */
export const cancelOutdated = (
  store: Store,
  namespace: string,
  jobId: string,
  current: SimJob | undefined,
  stopped: boolean
): Array<string> => {
  const unneeded: Array<string> = []
  for (const d of jobDeployments(store, namespace, jobId)) {
    if (d.Status !== "running") continue
    const outdated = current === undefined || stopped || d.JobCreateIndex !== current.CreateIndex ||
      d.JobVersion !== current.Version
    if (!outdated) continue
    d.Status = "cancelled"
    d.StatusDescription = stopped || current === undefined ? statusDescriptions.stoppedJob : statusDescriptions.newerJob
    for (const state of Object.values(d.TaskGroups)) if (!state.Promoted) unneeded.push(...(state.PlacedCanaries ?? []))
    touch(store, d)
  }
  return unneeded
}

export const recordCanary = (store: Store, d: DeploymentRecord, group: string, allocId: string): void => {
  const state = d.TaskGroups[group]
  if (state === undefined) return
  state.PlacedCanaries = [...(state.PlacedCanaries ?? []), allocId]
  touch(store, d)
}

/** The group's placed and healthy counts, as the deployment watcher keeps them; unchanged counts write nothing. */
export const recordProgress = (
  store: Store,
  d: DeploymentRecord,
  group: string,
  placed: number,
  healthy: number
): void => {
  const state = d.TaskGroups[group]
  if (state === undefined || (state.PlacedAllocs === placed && state.HealthyAllocs === healthy)) return
  state.PlacedAllocs = placed
  state.HealthyAllocs = healthy
  touch(store, d)
}

export const markSuccessful = (store: Store, d: DeploymentRecord): void => {
  d.Status = "successful"
  d.StatusDescription = statusDescriptions.successful
  touch(store, d)
}

/**
 * `Deployment.Promote`: every promoted group needs its canaries healthy;
 * throws Nomad's (uncoded, so 500) error text otherwise.
 */
export const promote = (
  store: Store,
  d: DeploymentRecord,
  healthyCanaries: (group: string, ids: ReadonlyArray<string>) => number,
  groups: ReadonlyArray<string> | "all"
): void => {
  if (d.Status !== "running") throw new Error("can't promote terminal deployment")
  const chosen = Object.entries(d.TaskGroups).filter(([name]) => groups === "all" || groups.includes(name))
  const unhealthy = chosen
    .filter(([, state]) => state.DesiredCanaries > 0)
    .map(([name, state]) => [name, healthyCanaries(name, state.PlacedCanaries ?? []), state.DesiredCanaries] as const)
    .filter(([, have, need]) => have < need)
    .map(([name, have, need]) => `Task group ${JSON.stringify(name)} has ${have}/${need} healthy allocations`)
  if (unhealthy.length > 0) throw new Error(multierror(unhealthy))
  const index = store.write("allocs")
  for (const [, state] of chosen) {
    state.Promoted = true
    // Promoted canaries are ordinary allocations from now on: their DeploymentStatus says so.
    for (const id of state.PlacedCanaries ?? []) {
      const alloc = store.allocs.get(id)
      if (alloc === undefined) continue
      alloc.canary = false
      alloc.modifyIndex = index
    }
  }
  d.StatusDescription = describeRunning(d)
  touch(store, d)
}
