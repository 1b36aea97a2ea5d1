/** Native service discovery: `/v1/services`, `/v1/service/:name` and `DELETE /v1/service/:name/:id`. */
import { requireAccess, visible } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import { byKey, HttpError, indexHeader, invalidMethod, namespaceOf, type RequestContext, sendEmpty } from "./http.ts"
import type { ServiceRegistration } from "./model.ts"
import type { Handler, Sim } from "./sim.ts"

/** One namespace's services with the union of their tags (sorted here; Nomad's order is a Go map's). */
const stubsOf = (namespace: string, registrations: ReadonlyArray<ServiceRegistration>) => {
  const tags = new Map<string, Set<string>>()
  for (const r of registrations) {
    const set = tags.get(r.ServiceName) ?? new Set<string>()
    for (const tag of r.Tags ?? []) set.add(tag)
    tags.set(r.ServiceName, set)
  }
  return {
    Namespace: namespace,
    Services: [...tags.entries()].sort(byKey(([name]) => name)).map(([name, set]) => ({
      ServiceName: name,
      Tags: [...set].sort()
    }))
  }
}

export const servicesList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  if (namespace !== "*") requireAccess(principal, namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const all = [...sim.store.services.values()]
    const namespaces = namespace === "*"
      ? [...new Set(all.map((r) => r.Namespace))].filter((ns) => visible(principal, ns)).sort()
      : all.some((r) => r.Namespace === namespace)
      ? [namespace]
      : []
    return {
      index: sim.store.tableIndex("service_registrations"),
      body: namespaces.map((ns) => stubsOf(ns, all.filter((r) => r.Namespace === ns)))
    }
  })
}

const readService = (ctx: RequestContext, sim: Sim, name: string) => {
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("service_registrations"),
    body: [...sim.store.services.values()]
      .filter((r) => r.Namespace === namespace && r.ServiceName === name)
      .sort(byKey((r) => r.ID))
  }))
}

const deleteRegistration = (ctx: RequestContext, sim: Sim, id: string) => {
  requireAccess(sim.principal(ctx), namespaceOf(ctx), "write")
  const existing = sim.store.services.get(id)
  if (existing === undefined || existing.Namespace !== namespaceOf(ctx)) {
    throw new HttpError(500, "service registration not found")
  }
  sim.store.services.delete(id)
  sendEmpty(ctx, 200, indexHeader(sim.store.write("service_registrations")))
}

/** `ServiceRegistrationRequest`: one path segment reads a service, two delete a registration. */
export const serviceSpecific: Handler = (ctx, sim) => {
  const parts = ctx.path.slice("/v1/service/".length).split("/")
  if (parts.length === 1) {
    if (ctx.method !== "GET") throw invalidMethod()
    if (parts[0] === "") throw new HttpError(400, "missing service name")
    return readService(ctx, sim, parts[0]!)
  }
  if (parts.length === 2) {
    if (ctx.method !== "DELETE") throw invalidMethod()
    if (parts[0] === "") throw new HttpError(400, "missing service name")
    if (parts[1] === "") throw new HttpError(400, "missing service id")
    return deleteRegistration(ctx, sim, parts[1]!)
  }
  throw new HttpError(400, "invalid URI")
}
