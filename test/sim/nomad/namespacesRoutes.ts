/**
 * `/v1/namespaces` and `/v1/namespace[/:name]`. Writes need a management
 * token; `default` always exists and cannot be deleted; a namespace with
 * live jobs cannot be deleted either.
 */
import { requireManagement, visible } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import {
  byKey,
  decodeBody,
  field,
  HttpError,
  indexHeader,
  invalidMethod,
  isObject,
  type RequestContext,
  sendEmpty,
  typeError
} from "./http.ts"
import { multierror } from "./jobValidation.ts"
import type { StringMap } from "./model.ts"
import type { Handler, Sim } from "./sim.ts"
import { namespaceRecord, type Store } from "./store.ts"

const validName = /^[a-zA-Z0-9-]{1,128}$/

/** Creates or updates a namespace, keeping its create index. */
export const upsertNamespace = (store: Store, name: string, description: string, meta: StringMap | null): number => {
  const index = store.write("namespaces")
  const existing = store.namespaces.get(name)
  store.namespaces.set(name, namespaceRecord(name, description, meta, existing?.CreateIndex ?? index, index))
  return index
}

export const namespacesList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  const prefix = ctx.query.get("prefix") ?? ""
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("namespaces"),
    body: [...sim.store.namespaces.values()]
      .filter((ns) => ns.Name.startsWith(prefix) && visible(principal, ns.Name))
      .sort(byKey((ns) => ns.Name))
  }))
}

const readNamespace = (ctx: RequestContext, sim: Sim, name: string) => {
  const principal = sim.principal(ctx)
  if (!visible(principal, name)) throw new HttpError(403, "Permission denied")
  return blockingQuery(ctx, sim.store, () => {
    const ns = sim.store.namespaces.get(name)
    return ns === undefined
      ? { index: sim.store.tableIndex("namespaces"), error: new HttpError(404, "Namespace not found") }
      : { index: ns.ModifyIndex, body: ns }
  })
}

const text = (body: Record<string, unknown>, name: string): string => {
  const value = field(body, name)
  if (value === undefined || value === null) return ""
  if (typeof value !== "string") throw typeError(value, `Namespace.${name}`, "string")
  return value
}

const writeNamespace = async (ctx: RequestContext, sim: Sim, pathName: string) => {
  const body = (await decodeBody(ctx, "structs.Namespace")) ?? {}
  const name = text(body, "Name")
  const description = text(body, "Description")
  text(body, "Quota")
  const meta = field(body, "Meta")
  if (meta !== undefined && meta !== null && !isObject(meta)) {
    throw typeError(meta, "Namespace.Meta", "map[string]string")
  }
  if (pathName !== "" && name !== pathName) throw new HttpError(400, "Namespace name does not match request path")
  requireManagement(sim.principal(ctx))
  const problems: Array<string> = []
  if (!validName.test(name)) problems.push(`invalid name ${JSON.stringify(name)}. Must match regex ${validName.source}`)
  if (description.length > 256) problems.push("description longer than 256")
  if (problems.length > 0) {
    throw new HttpError(500, `Invalid namespace ${JSON.stringify(name)}: ${multierror(problems)}`)
  }
  const index = upsertNamespace(sim.store, name, description, isObject(meta) ? (meta as StringMap) : null)
  sendEmpty(ctx, 200, indexHeader(index))
}

const deleteNamespace = (ctx: RequestContext, sim: Sim, name: string) => {
  requireManagement(sim.principal(ctx))
  if (name === "default") throw new HttpError(500, "can not delete default namespace")
  const live = [...sim.store.jobs.values()].some((j) => j.Namespace === name && j.Status !== "dead")
  if (live) {
    throw new HttpError(
      500,
      multierror([`namespace ${JSON.stringify(name)} has non-terminal jobs in regions: [${sim.agent.region}]`])
    )
  }
  if (!sim.store.namespaces.has(name)) throw new HttpError(500, "namespace not found")
  sim.store.namespaces.delete(name)
  sendEmpty(ctx, 200, indexHeader(sim.store.write("namespaces")))
}

export const namespaceCreate: Handler = (ctx, sim) => {
  if (ctx.method !== "PUT" && ctx.method !== "POST") throw invalidMethod()
  return writeNamespace(ctx, sim, "")
}

export const namespaceSpecific: Handler = (ctx, sim) => {
  const name = ctx.path.slice("/v1/namespace/".length)
  if (name === "") throw new HttpError(400, "Missing Namespace Name")
  switch (ctx.method) {
    case "GET":
      return readNamespace(ctx, sim, name)
    case "PUT":
    case "POST":
      return writeNamespace(ctx, sim, name)
    case "DELETE":
      return deleteNamespace(ctx, sim, name)
    default:
      throw invalidMethod()
  }
}
