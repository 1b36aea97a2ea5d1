/** `/v1/allocations` and `/v1/allocation/:id[/checks|/services]`. */
import { allows, requireAccess, visible } from "./acl.ts"
import { allocFull, allocStub } from "./allocations.ts"
import { blockingQuery } from "./blocking.ts"
import {
  byKey,
  HttpError,
  invalidMethod,
  namespaceOf,
  NotServed,
  parseGoBool,
  type RequestContext,
  sendJson
} from "./http.ts"
import { checkResults } from "./services.ts"
import type { Handler, Sim } from "./sim.ts"

const flag = (ctx: RequestContext, name: string, zero: boolean): boolean => {
  const parsed = parseGoBool(ctx.query.get(name) ?? "")
  return parsed instanceof Error ? zero : parsed
}

export const allocationsList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  requireAccess(principal, namespace, "read")
  const prefix = ctx.query.get("prefix") ?? ""
  const options = { taskStates: flag(ctx, "task_states", true), resources: flag(ctx, "resources", false) }
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("allocs"),
    body: [...sim.store.allocs.values()]
      .filter((a) =>
        (namespace === "*" ? visible(principal, a.namespace) : a.namespace === namespace) && a.id.startsWith(prefix)
      )
      .sort(byKey((a) => a.id))
      .map((a) => allocStub(a, sim.placement, options))
  }))
}

const readAllocation = (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  return blockingQuery(ctx, sim.store, () => {
    const alloc = sim.store.allocs.get(id)
    if (alloc === undefined) {
      return { index: sim.store.tableIndex("allocs"), error: new HttpError(404, "alloc not found") }
    }
    if (!allows(principal, alloc.namespace, "read")) {
      return { index: alloc.modifyIndex, error: new HttpError(403, "Permission denied") }
    }
    return { index: alloc.modifyIndex, body: allocFull(alloc, sim.placement) }
  })
}

const allocationChecks = (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  const alloc = sim.store.allocs.get(id)
  if (alloc === undefined) throw new HttpError(404, `Unknown allocation ${JSON.stringify(id)}`)
  requireAccess(principal, alloc.namespace, "read")
  sendJson(ctx, 200, checkResults(alloc))
}

const allocationServices = (ctx: RequestContext, sim: Sim, id: string) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  return blockingQuery(ctx, sim.store, () => {
    const index = sim.store.tableIndex("service_registrations")
    const alloc = sim.store.allocs.get(id)
    if (alloc === undefined) return { index, error: new HttpError(404, "alloc not found") }
    if (!allows(principal, alloc.namespace, "read")) return { index, error: new HttpError(403, "Permission denied") }
    return { index, body: [...sim.store.services.values()].filter((r) => r.AllocID === id).sort(byKey((r) => r.ID)) }
  })
}

export const allocationSpecific: Handler = (ctx, sim) => {
  const [id = "", action, ...rest] = ctx.path.slice("/v1/allocation/".length).split("/")
  if (rest.length > 0) throw new NotServed()
  if (action === undefined) return readAllocation(ctx, sim, id)
  if (action === "checks") return allocationChecks(ctx, sim, id)
  if (action === "services") return allocationServices(ctx, sim, id)
  throw new NotServed()
}
