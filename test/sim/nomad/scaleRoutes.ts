/**
 * `GET` and `PUT|POST /v1/job/:id/scale`: scale status, and `Job.Scale` in
 * its order: payload checks, scale permission, request validation, job and
 * group lookup, scaling-policy bounds, the active-deployment block, the
 * index check, then a new job version, an evaluation and a scaling event.
 */
import { requireAccess } from "./acl.ts"
import { blocksScaling } from "./deployments.ts"
import {
  decodeBody,
  field,
  HttpError,
  indexHeader,
  isObject,
  type JsonObject,
  namespaceOf,
  type RequestContext,
  sendJson,
  typeError
} from "./http.ts"
import { createEval, putJob } from "./jobRegister.ts"
import { isPeriodicOrParameterized, jobQuery, scaleStatus } from "./jobViews.ts"
import type { ScalingEvent } from "./model.ts"
import type { Sim } from "./sim.ts"
import { jobKey, nowNanos } from "./store.ts"

/** `JobTrackedScalingEvents`: how many events Nomad keeps per group. */
const trackedEvents = 20

export const scaleStatusQuery = (ctx: RequestContext, sim: Sim, id: string) =>
  jobQuery(ctx, sim, id, "jobs", (job) => scaleStatus(job, sim.store))

interface ScalingRequest {
  readonly count: number | null
  readonly target: Record<string, string>
  readonly message: string
  readonly error: boolean
  readonly meta: JsonObject | null
  readonly jobModifyIndex: number
}

/** Decodes `api.ScalingRequest`; `Error` is a bool in the code, whatever the docs say. */
const decodeScalingRequest = (body: JsonObject): ScalingRequest => {
  const get = <A>(name: string, goType: string, ok: (v: unknown) => boolean, zero: A): A => {
    const value = field(body, name)
    if (value === undefined || value === null) return zero
    if (!ok(value)) throw typeError(value, `ScalingRequest.${name}`, goType)
    return value as A
  }
  const target = get<JsonObject>("Target", "map[string]string", isObject, {})
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== "string") throw typeError(value, `ScalingRequest.Target`, "string")
    target[key] = value
  }
  return {
    count: get<number | null>("Count", "int64", Number.isInteger, null),
    target: target as Record<string, string>,
    message: get("Message", "string", (v) => typeof v === "string", ""),
    error: get("Error", "bool", (v) => typeof v === "boolean", false),
    meta: get<JsonObject | null>("Meta", "map[string]interface {}", isObject, null),
    jobModifyIndex: get("JobModifyIndex", "uint64", (v) => Number.isInteger(v) && Number(v) >= 0, 0)
  }
}

export const scaleAction = async (ctx: RequestContext, sim: Sim, id: string): Promise<void> => {
  const request = decodeScalingRequest((await decodeBody(ctx, "api.ScalingRequest")) ?? {})
  const targetJob = request.target.Job ?? ""
  if (targetJob !== "" && targetJob !== id) throw new HttpError(400, "job ID in payload did not match URL")
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const targetNamespace = request.target.Namespace ?? ""
  if (targetNamespace !== "" && targetNamespace !== namespace) {
    throw new HttpError(400, "namespace in payload did not match header")
  }
  const groupName = request.target.Group ?? ""
  if (groupName === "") throw new HttpError(400, "missing task group name for scaling action")
  const count = request.count
  if (count !== null && count < 0) throw new HttpError(400, "scaling action count can't be negative")
  if (count !== null && request.error) {
    throw new HttpError(400, "scaling action should not contain count if error is true")
  }

  const store = sim.store
  const job = store.job(namespace, id)
  if (job === undefined) throw new HttpError(404, `job ${JSON.stringify(id)} not found`)
  if (job.Type === "system" && count !== null && count > 1) {
    throw new HttpError(400, `jobs of type "system" can only be scaled between 0 and 1`)
  }
  const group = (job.TaskGroups ?? []).find((g) => g.Name === groupName)
  if (group === undefined) {
    throw new HttpError(400, `task group ${JSON.stringify(groupName)} specified for scaling does not exist in job`)
  }

  let evalId = ""
  let evalCreateIndex = 0
  let jobModifyIndex = job.ModifyIndex
  if (count !== null) {
    if (group.Scaling !== null && count < group.Scaling.Min) {
      throw new HttpError(400, `group count was less than scaling policy minimum: ${count} < ${group.Scaling.Min}`)
    }
    if (group.Scaling !== null && group.Scaling.Max < count) {
      throw new HttpError(400, `group count was greater than scaling policy maximum: ${count} > ${group.Scaling.Max}`)
    }
    if (store.scalingBlocked.has(id) || blocksScaling(store, job)) {
      throw new HttpError(400, "job scaling blocked due to active deployment")
    }
    if (request.jobModifyIndex > 0 && request.jobModifyIndex !== job.JobModifyIndex) {
      throw new HttpError(
        500,
        `Enforcing job modify index ${request.jobModifyIndex}: job exists with conflicting job modify index: ${job.JobModifyIndex}`
      )
    }
    jobModifyIndex = store.write("jobs", "job_summary")
    const scaled = {
      ...job,
      TaskGroups: (job.TaskGroups ?? []).map((g) => (g.Name === groupName ? { ...g, Count: count } : g)),
      Version: job.Version + 1,
      SubmitTime: nowNanos(),
      ModifyIndex: jobModifyIndex,
      JobModifyIndex: jobModifyIndex
    }
    if (!isPeriodicOrParameterized(job)) {
      evalCreateIndex = store.write("evals")
      evalId = createEval(store, scaled)
    }
    putJob(store, scaled)
  }

  const eventIndex = store.write("scaling_event")
  const event: ScalingEvent = {
    Time: nowNanos(),
    Count: count,
    PreviousCount: group.Count,
    Message: request.message,
    Error: request.error,
    Meta: request.meta,
    EvalID: evalId === "" ? null : evalId,
    CreateIndex: eventIndex
  }
  const events = store.scalingEvents.get(jobKey(namespace, id)) ?? {}
  events[groupName] = [event, ...(events[groupName] ?? [])].slice(0, trackedEvents)
  store.scalingEvents.set(jobKey(namespace, id), events)
  if (evalId !== "") sim.reconciler.evaluate(evalId)
  sendJson(ctx, 200, {
    EvalCreateIndex: evalCreateIndex,
    EvalID: evalId,
    Index: eventIndex,
    JobModifyIndex: jobModifyIndex,
    KnownLeader: true,
    LastContact: 0,
    NextToken: "",
    Warnings: ""
  }, indexHeader(eventIndex))
}
