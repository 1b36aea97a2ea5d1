/**
 * `/v1/deployments`, `/v1/deployment/:id`, `/v1/deployment/promote/:id` and
 * the job's `/deployment` and `/deployments`: the reads as blocking queries on
 * the deployment table, and promotion as `Deployment.Promote` checks it (the
 * HTTP layer's 400s, then uncoded 500s for a missing, terminal or unhealthy
 * deployment).
 */
import { requireAccess, visible } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import { jobDeployments, promote } from "./deployments.ts"
import {
  byKey,
  decodeBody,
  field,
  HttpError,
  indexHeader,
  invalidMethod,
  namespaceOf,
  NotServed,
  type RequestContext,
  sendJson
} from "./http.ts"
import { createEval } from "./jobRegister.ts"
import type { Handler, Sim } from "./sim.ts"

export const deploymentsList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  requireAccess(principal, namespace, "read")
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("deployment"),
    body: [...sim.store.deployments.values()]
      .filter((d) => (namespace === "*" ? visible(principal, d.Namespace) : d.Namespace === namespace))
      .sort(byKey((d) => d.ID))
  }))
}

const promoteDeployment = async (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "PUT" && ctx.method !== "POST") throw invalidMethod()
  const body = (await decodeBody(ctx, "structs.DeploymentPromoteRequest")) ?? {}
  const deploymentId = field(body, "DeploymentID")
  if (typeof deploymentId !== "string" || deploymentId === "") {
    throw new HttpError(400, "DeploymentID must be specified")
  }
  if (deploymentId !== id) throw new HttpError(400, "Deployment ID does not match")
  const store = sim.store
  const deployment = store.deployments.get(id)
  if (deployment === undefined) throw new Error("deployment not found")
  requireAccess(sim.principal(ctx), deployment.Namespace, "write")
  const groups = field(body, "Groups")
  promote(
    store,
    deployment,
    (_group, ids) => sim.reconciler.healthyAmong(ids),
    field(body, "All") === true ? "all" : Array.isArray(groups) ? groups.map(String) : []
  )
  const job = store.job(deployment.Namespace, deployment.JobID)
  const index = store.write("evals")
  const evalId = job === undefined ? "" : createEval(store, job)
  if (evalId !== "") sim.reconciler.evaluate(evalId)
  sendJson(ctx, 200, {
    EvalID: evalId,
    EvalCreateIndex: index,
    DeploymentModifyIndex: deployment.ModifyIndex,
    RevertedJobVersion: null,
    Index: index,
    LastContact: 0,
    KnownLeader: false,
    NextToken: ""
  }, indexHeader(index))
}

/** `/v1/deployment/<id>` and `/v1/deployment/promote/<id>`; the other actions are not simulated. */
export const deploymentSpecific: Handler = (ctx, sim) => {
  const path = ctx.path.slice("/v1/deployment/".length)
  if (path.startsWith("promote/")) return promoteDeployment(ctx, sim, path.slice("promote/".length))
  if (/^(fail|pause|unblock|allocation-health|allocations)\//.test(path)) throw new NotServed()
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  return blockingQuery(ctx, sim.store, () => {
    const index = sim.store.tableIndex("deployment")
    const deployment = sim.store.deployments.get(path)
    if (deployment === undefined) return { index, error: new HttpError(404, "deployment not found") }
    requireAccess(principal, deployment.Namespace, "read")
    return { index, body: deployment }
  })
}

/** `/v1/job/:id/deployments` (newest first) and `/v1/job/:id/deployment` (the latest, or `null`). */
export const jobDeploymentsQuery = (ctx: RequestContext, sim: Sim, id: string, latestOnly: boolean) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const all = jobDeployments(sim.store, namespace, id)
    return { index: sim.store.tableIndex("deployment"), body: latestOnly ? all[0] ?? null : all }
  })
}
