/**
 * What Nomad derives from a job and its allocations: the job's status, its
 * summary, its list stub and its scale status. Summaries are recomputed from
 * allocations, as Nomad's summary reconciliation does. Also the blocking read
 * of one job's view that `GET /v1/job/:id[/summary|/scale]` share.
 */
import { requireAccess } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import { HttpError, type JsonObject, namespaceOf, type RequestContext } from "./http.ts"
import type { AllocRecord, SimJob } from "./model.ts"
import type { Sim } from "./sim.ts"
import { jobKey, type Store, type Table } from "./store.ts"

export const isTerminal = (alloc: AllocRecord): boolean =>
  alloc.desiredStatus !== "run" || alloc.clientStatus === "complete" || alloc.clientStatus === "failed" ||
  alloc.clientStatus === "lost"

export const isPeriodicOrParameterized = (job: SimJob): boolean =>
  job.Periodic !== null || job.ParameterizedJob !== null

/** `getJobStatus` in the state store. */
export const computeJobStatus = (job: SimJob, store: Store): string => {
  if (job.Type === "system" || job.Type === "sysbatch" || isPeriodicOrParameterized(job)) {
    return job.Stop ? "dead" : "running"
  }
  const allocs = store.jobAllocs(job.Namespace, job.ID)
  if (allocs.some((a) => !isTerminal(a))) return "running"
  const evals = [...store.evals.values()].filter((e) => e.namespace === job.Namespace && e.jobId === job.ID)
  if (evals.some((e) => e.status === "pending")) return "pending"
  if (evals.length > 0 || allocs.length > 0) return "dead"
  return "pending"
}

const statusCount: Record<string, string> = {
  pending: "Starting",
  running: "Running",
  complete: "Complete",
  failed: "Failed",
  lost: "Lost"
}

/** `JobSummary`: allocations by client status, per task group. */
export const jobSummary = (job: SimJob, store: Store): JsonObject => {
  const allocs = store.jobAllocs(job.Namespace, job.ID)
  const summary: JsonObject = {}
  for (const group of job.TaskGroups ?? []) {
    const counts: Record<string, number> = {
      Queued: 0,
      Complete: 0,
      Failed: 0,
      Running: 0,
      Starting: 0,
      Lost: 0,
      Unknown: 0
    }
    for (const alloc of allocs) {
      const name = statusCount[alloc.clientStatus]
      if (alloc.group === group.Name && name !== undefined) counts[name] = (counts[name] ?? 0) + 1
    }
    summary[group.Name] = counts
  }
  const indexes = store.summaries.get(jobKey(job.Namespace, job.ID))
  return {
    JobID: job.ID,
    Namespace: job.Namespace,
    Summary: summary,
    Children: { Pending: 0, Running: 0, Dead: 0 },
    CreateIndex: indexes?.CreateIndex ?? job.CreateIndex,
    ModifyIndex: indexes?.ModifyIndex ?? job.ModifyIndex
  }
}

/** `JobListStub`; `Meta` only when asked for with `meta=true`. */
export const jobStub = (job: SimJob, store: Store, withMeta: boolean): JsonObject => ({
  ID: job.ID,
  ParentID: job.ParentID,
  Name: job.Name,
  Namespace: job.Namespace,
  Datacenters: job.Datacenters,
  NodePool: job.NodePool,
  Multiregion: job.Multiregion,
  Type: job.Type,
  Priority: job.Priority,
  Periodic: job.Periodic !== null,
  ParameterizedJob: job.ParameterizedJob !== null,
  Stop: job.Stop,
  Status: job.Status,
  StatusDescription: job.StatusDescription,
  JobSummary: jobSummary(job, store),
  CreateIndex: job.CreateIndex,
  ModifyIndex: job.ModifyIndex,
  JobModifyIndex: job.JobModifyIndex,
  SubmitTime: job.SubmitTime,
  ...(withMeta && job.Meta !== null ? { Meta: job.Meta } : {})
})

/** `JobScaleStatus`: desired counts, what is placed and healthy, and the scaling events of each group. */
export const scaleStatus = (job: SimJob, store: Store): { readonly index: number; readonly body: JsonObject } => {
  const allocs = store.jobAllocs(job.Namespace, job.ID)
  const events = store.scalingEvents.get(jobKey(job.Namespace, job.ID)) ?? {}
  let index = job.ModifyIndex
  const groups: JsonObject = {}
  for (const group of job.TaskGroups ?? []) {
    const live = allocs.filter((a) =>
      a.group === group.Name && a.desiredStatus === "run" && a.job.Version === job.Version
    )
    const groupEvents = events[group.Name] ?? []
    for (const e of groupEvents) index = Math.max(index, e.CreateIndex)
    groups[group.Name] = {
      Desired: group.Count,
      Placed: live.length,
      Running: allocs.filter((a) => a.group === group.Name && a.clientStatus === "running" && a.desiredStatus === "run")
        .length,
      Healthy: live.filter((a) => a.healthy === true).length,
      Unhealthy: live.filter((a) => a.healthy === false).length,
      Events: groupEvents.length === 0 ? null : groupEvents
    }
  }
  for (const alloc of allocs) index = Math.max(index, alloc.modifyIndex)
  return {
    index,
    body: {
      JobID: job.ID,
      Namespace: job.Namespace,
      JobCreateIndex: job.CreateIndex,
      JobModifyIndex: job.JobModifyIndex,
      JobStopped: job.Stop,
      TaskGroups: groups
    }
  }
}

/**
 * `view` of job `id`, read-checked in the request's namespace and answered as a blocking query;
 * while the job does not exist, 404 `job not found` at the index of `missingTable`.
 */
export const jobQuery = (
  ctx: RequestContext,
  sim: Sim,
  id: string,
  missingTable: Table,
  view: (job: SimJob) => { readonly index: number; readonly body: unknown }
) => {
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const job = sim.store.job(namespace, id)
    return job === undefined
      ? { index: sim.store.tableIndex(missingTable), error: new HttpError(404, "job not found") }
      : view(job)
  })
}
