/**
 * `/v1/jobs` and `/v1/job/:id[/...]`: list, register, read, stop or purge,
 * summary, allocations, services and deployments. `/v1/job/` dispatches on the path's
 * suffix, as `JobSpecificRequest` does; what is left is the job ID.
 */
import { requireAccess, visible } from "./acl.ts"
import { allocStub } from "./allocations.ts"
import { blockingQuery } from "./blocking.ts"
import { jobDeploymentsQuery } from "./deploymentsRoutes.ts"
import {
  byKey,
  HttpError,
  indexHeader,
  invalidMethod,
  namespaceOf,
  NotServed,
  parseGoBool,
  parseGoInt,
  type RequestContext,
  sendJson
} from "./http.ts"
import { createEval, putJob, registerJob } from "./jobRegister.ts"
import { isPeriodicOrParameterized, jobQuery, jobStub, jobSummary } from "./jobViews.ts"
import { scaleAction, scaleStatusQuery } from "./scaleRoutes.ts"
import type { Handler, Sim } from "./sim.ts"
import { jobKey, nowNanos } from "./store.ts"

const listJobs = (ctx: RequestContext, sim: Sim) => {
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  requireAccess(principal, namespace, "read")
  const prefix = ctx.query.get("prefix") ?? ""
  const meta = parseGoBool(ctx.query.get("meta") ?? "") === true
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("jobs", "job_summary"),
    body: [...sim.store.jobs.values()]
      .filter((j) =>
        (namespace === "*" ? visible(principal, j.Namespace) : j.Namespace === namespace) && j.ID.startsWith(prefix)
      )
      .sort(byKey((j) => `${j.Namespace}\u0000${j.ID}`))
      .map((j) => jobStub(j, sim.store, meta))
  }))
}

export const jobsRequest: Handler = (ctx, sim) => {
  switch (ctx.method) {
    case "GET":
      return listJobs(ctx, sim)
    case "PUT":
    case "POST":
      return registerJob(ctx, sim, "")
    default:
      throw invalidMethod()
  }
}

const readJob = (ctx: RequestContext, sim: Sim, id: string) =>
  jobQuery(ctx, sim, id, "jobs", (job) => ({ index: job.ModifyIndex, body: job }))

/** `strconv.ParseBool` of a query flag, failing with `jobDelete`'s (uncoded, so 500) text. */
const deleteFlag = (ctx: RequestContext, name: string, label = JSON.stringify(name)): boolean => {
  const text = ctx.query.get(name) ?? ""
  if (text === "") return false
  const parsed = parseGoBool(text)
  if (parsed instanceof Error) {
    throw new HttpError(500, `Failed to parse value of ${label} (${text}) as a bool: ${parsed.message}`)
  }
  return parsed
}

const deleteJob = (ctx: RequestContext, sim: Sim, id: string) => {
  const purge = deleteFlag(ctx, "purge")
  deleteFlag(ctx, "global")
  const priorityText = ctx.query.get("eval_priority") ?? ""
  if (priorityText !== "") {
    const priority = parseGoInt(priorityText)
    if (priority instanceof Error) {
      throw new HttpError(
        500,
        `Failed to parse value of "eval_priority" (${priorityText}) as an int: ${priority.message}`
      )
    }
    if (priority > 100) throw new HttpError(400, "Eval priority must be between 1 and 100 inclusively")
  }
  // The server's own typo: `%qq` in the format string.
  deleteFlag(ctx, "no_shutdown_delay", `"no_shutdown_delay"q`)
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const store = sim.store
  const existing = store.job(namespace, id)
  const answer = (evalId: string, evalIndex: number, index: number) =>
    sendJson(ctx, 200, {
      EvalID: evalId,
      EvalCreateIndex: evalIndex,
      JobModifyIndex: index,
      VolumeEvalID: "",
      VolumeEvalIndex: 0,
      Index: index,
      LastContact: 0,
      KnownLeader: false,
      NextToken: ""
    }, indexHeader(index))
  if (existing === undefined) return answer("", 0, 0)
  const withEval = !isPeriodicOrParameterized(existing)
  const index = store.write("jobs", "job_summary", "evals")
  const evalId = withEval ? createEval(store, existing) : ""
  if (purge) {
    store.jobs.delete(jobKey(namespace, id))
    store.summaries.delete(jobKey(namespace, id))
    store.scalingEvents.delete(jobKey(namespace, id))
  } else {
    putJob(store, {
      ...existing,
      Stop: true,
      Version: existing.Version + 1,
      SubmitTime: nowNanos(),
      ModifyIndex: index,
      JobModifyIndex: index
    })
  }
  if (withEval) sim.reconciler.evaluate(evalId)
  else sim.reconciler.reconcile(namespace, id, "eval")
  return answer(evalId, withEval ? index : 0, index)
}

const summary = (ctx: RequestContext, sim: Sim, id: string) =>
  jobQuery(ctx, sim, id, "job_summary", (job) => {
    const body = jobSummary(job, sim.store)
    return { index: Number(body.ModifyIndex), body }
  })

const allocations = (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const all = parseGoBool(ctx.query.get("all") ?? "") === true
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("allocs"),
    body: sim.store.jobAllocs(namespace, id, all).sort(byKey((a) => a.id)).map((a) => allocStub(a, sim.placement))
  }))
}

const services = (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const index = sim.store.tableIndex("service_registrations")
    if (sim.store.job(namespace, id) === undefined) return { index, error: new HttpError(404, "job not found") }
    const body = [...sim.store.services.values()]
      .filter((r) => r.Namespace === namespace && r.JobID === id)
      .sort(byKey((r) => r.ID))
    return { index, body }
  })
}

/** Suffixes Nomad serves that the simulator does not: answered as unknown routes. */
const unsimulated = [
  "/evaluate",
  "/evaluations",
  "/periodic/force",
  "/plan",
  "/dispatch",
  "/versions",
  "/revert",
  "/stable",
  "/submission",
  "/actions"
]

/** Answers `/v1/job/...`, dispatching on the suffix. */
export const jobSpecific: Handler = (ctx, sim) => {
  const path = ctx.path.slice("/v1/job/".length)
  const suffix = (name: string) => (path.endsWith(name) ? path.slice(0, -name.length) : undefined)
  let id: string | undefined
  if ((id = suffix("/allocations")) !== undefined) return allocations(ctx, sim, id)
  if ((id = suffix("/summary")) !== undefined) return summary(ctx, sim, id)
  if ((id = suffix("/services")) !== undefined) return services(ctx, sim, id)
  if ((id = suffix("/deployments")) !== undefined) return jobDeploymentsQuery(ctx, sim, id, false)
  if ((id = suffix("/deployment")) !== undefined) return jobDeploymentsQuery(ctx, sim, id, true)
  if ((id = suffix("/scale")) !== undefined) {
    if (ctx.method === "GET") return scaleStatusQuery(ctx, sim, id)
    if (ctx.method === "PUT" || ctx.method === "POST") return scaleAction(ctx, sim, id)
    throw invalidMethod()
  }
  if (unsimulated.some((s) => path.endsWith(s))) throw new NotServed()
  switch (ctx.method) {
    case "GET":
      return readJob(ctx, sim, path)
    case "PUT":
    case "POST":
      return registerJob(ctx, sim, path)
    case "DELETE":
      return deleteJob(ctx, sim, path)
    default:
      throw invalidMethod()
  }
}
