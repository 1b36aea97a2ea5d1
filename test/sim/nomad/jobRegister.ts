/**
 * `PUT|POST /v1/jobs` and `/v1/job/:id`: the HTTP checks of `jobUpdate`, then
 * `Job.Register`'s order: admission (validation and namespace), submit-job
 * permission, check-and-set, preserved counts, a new version only when the
 * spec changed, and an evaluation for non-periodic jobs.
 */
import { randomUUID } from "node:crypto"
import { requireAccess } from "./acl.ts"
import { canonicalJob, specOf } from "./canonicalJob.ts"
import {
  decodeBody,
  field,
  HttpError,
  indexHeader,
  isObject,
  type JsonObject,
  type RequestContext,
  sendJson,
  typeError
} from "./http.ts"
import { decodeStruct } from "./jobSchema.ts"
import { admissionErrors, jobWarnings, multierror, warningsText } from "./jobValidation.ts"
import { computeJobStatus, isPeriodicOrParameterized } from "./jobViews.ts"
import type { SimJob } from "./model.ts"
import type { Sim } from "./sim.ts"
import { jobKey, nowNanos, type Store, type Table } from "./store.ts"

const casPrefix = "Enforcing job modify index"

/** A top-level field of the register request, type-checked as Go's decoder would. */
const flag = <A>(body: JsonObject, name: string, goType: string, check: (v: unknown) => v is A, zero: A): A => {
  const value = field(body, name)
  if (value === undefined || value === null) return zero
  if (!check(value)) throw typeError(value, `JobRegisterRequest.${name}`, goType)
  return value
}
const isBool = (v: unknown): v is boolean => typeof v === "boolean"
const isUint = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v)
const isString = (v: unknown): v is string => typeof v === "string"

/** Creates a pending evaluation for the job; the reconciler picks it up after the answer. */
export const createEval = (store: Store, job: SimJob): string => {
  const id = randomUUID()
  store.evals.set(id, { id, namespace: job.Namespace, jobId: job.ID, status: "pending" })
  return id
}

/** Stores `job` with the status the state store would compute for it now. */
export const putJob = (store: Store, job: SimJob): SimJob => {
  store.jobs.set(jobKey(job.Namespace, job.ID), job)
  const withStatus = { ...job, Status: computeJobStatus(job, store) }
  store.jobs.set(jobKey(job.Namespace, job.ID), withStatus)
  return withStatus
}

const enforceIndex = (existing: SimJob | undefined, expected: number): void => {
  if (existing !== undefined) {
    if (expected === 0) throw new HttpError(500, `${casPrefix} 0: job already exists`)
    if (expected !== existing.JobModifyIndex) {
      throw new HttpError(
        500,
        `${casPrefix} ${expected}: job exists with conflicting job modify index: ${existing.JobModifyIndex}`
      )
    }
  } else if (expected !== 0) throw new HttpError(500, `${casPrefix} ${expected}: job does not exist`)
}

export const registerJob = async (ctx: RequestContext, sim: Sim, jobName: string): Promise<void> => {
  const body = (await decodeBody(ctx, "api.JobRegisterRequest")) ?? {}
  const rawJob = field(body, "Job")
  if (rawJob !== undefined && rawJob !== null && !isObject(rawJob)) {
    throw typeError(rawJob, "JobRegisterRequest.Job", "api.Job")
  }
  if (isObject(rawJob)) decodeStruct("Job", rawJob, "Job")
  const enforce = flag(body, "EnforceIndex", "bool", isBool, false)
  const expectedIndex = flag(body, "JobModifyIndex", "uint64", isUint, 0)
  const preserveCounts = flag(body, "PreserveCounts", "bool", isBool, false)
  const evalPriority = flag(body, "EvalPriority", "int", isInt, 0)
  const bodyNamespace = flag(body, "Namespace", "string", isString, "")
  const bodyRegion = flag(body, "Region", "string", isString, "")
  if (!isObject(rawJob)) throw new HttpError(400, "Job must be specified")
  const id = field(rawJob, "ID")
  if (typeof id !== "string") throw new HttpError(400, "Job ID hasn't been provided")
  if (jobName !== "" && id !== jobName) throw new HttpError(400, "Job ID does not match name")
  const groups = field(rawJob, "TaskGroups")
  if (
    field(rawJob, "Type") === "system" && Array.isArray(groups) &&
    groups.some((g) => isObject(g) && field(g, "Scaling") != null)
  ) {
    throw new HttpError(400, "Task groups with job type system do not support scaling stanzas")
  }
  if (evalPriority !== 0 && (evalPriority < 1 || evalPriority > 100)) {
    throw new HttpError(400, "Eval priority must be between 1 and 100 inclusively")
  }

  const jobNamespace = field(rawJob, "Namespace")
  const namespace = ctx.query.get("namespace") || bodyNamespace || (typeof jobNamespace === "string" && jobNamespace) ||
    "default"
  const jobRegion = field(rawJob, "Region")
  const askedRegion = ctx.query.get("region") || bodyRegion || (typeof jobRegion === "string" ? jobRegion : "")
  const region = askedRegion === "" || askedRegion === "global" ? sim.agent.region : askedRegion

  const principal = sim.principal(ctx)
  let job = canonicalJob(rawJob, namespace, region)
  const errors = admissionErrors(job, sim.store.namespaces.has(namespace))
  if (errors.length > 0) throw new HttpError(500, multierror(errors))
  const warnings = warningsText(jobWarnings(job, sim.agent.memoryOversubscription))
  requireAccess(principal, namespace, "write")

  const store = sim.store
  const existing = store.job(namespace, id)
  if (enforce) enforceIndex(existing, expectedIndex)
  if (existing !== undefined && preserveCounts) {
    const counts = new Map((existing.TaskGroups ?? []).map((g) => [g.Name, g.Count]))
    job = { ...job, TaskGroups: (job.TaskGroups ?? []).map((g) => ({ ...g, Count: counts.get(g.Name) ?? g.Count })) }
  }

  const withEval = !isPeriodicOrParameterized(job)
  const specChanged = existing === undefined || specOf(existing) !== specOf(job)
  let evalId = ""
  let evalCreateIndex = 0
  let jobModifyIndex = existing?.JobModifyIndex ?? 0
  let index = 0
  if (specChanged) {
    const tables: Array<Table> = withEval ? ["jobs", "job_summary", "evals"] : ["jobs", "job_summary"]
    index = store.write(...tables)
    if (existing === undefined) store.summaries.set(jobKey(namespace, id), { CreateIndex: index, ModifyIndex: index })
    const stored: SimJob = {
      ...job,
      Version: existing === undefined ? 0 : existing.Version + 1,
      SubmitTime: nowNanos(),
      CreateIndex: existing?.CreateIndex ?? index,
      ModifyIndex: index,
      JobModifyIndex: index
    }
    if (withEval) {
      evalId = createEval(store, stored)
      evalCreateIndex = index
    }
    putJob(store, stored)
    jobModifyIndex = index
  } else if (withEval && existing !== undefined) {
    index = store.write("evals")
    evalId = createEval(store, existing)
    evalCreateIndex = index
    sim.reconciler.refreshStatus(namespace, id)
  }
  if (evalId !== "") sim.reconciler.evaluate(evalId)
  sendJson(ctx, 200, {
    EvalID: evalId,
    EvalCreateIndex: evalCreateIndex,
    JobModifyIndex: jobModifyIndex,
    Warnings: warnings,
    Index: index,
    LastContact: 0,
    KnownLeader: false,
    NextToken: ""
  }, indexHeader(index))
}
