/**
 * Nomad Variables: `GET /v1/vars` and `GET|PUT|DELETE /v1/var/:path`, with
 * `?cas=` check-and-set. A conflict answers 409 with the conflicting
 * variable (a zero one when it does not exist); a delete answers 204.
 */
import { requireAccess, visible } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import {
  byKey,
  decodeBody,
  field,
  HttpError,
  indexHeader,
  isObject,
  namespaceOf,
  parseGoInt,
  type RequestContext,
  sendEmpty,
  sendJson,
  typeError
} from "./http.ts"
import type { StringMap, VariableRecord } from "./model.ts"
import type { Handler, Sim } from "./sim.ts"
import { nowNanos } from "./store.ts"

const varKey = (namespace: string, path: string) => `${namespace}\u0000${path}`
const validPath = /^[a-zA-Z0-9-_~/]{1,128}$/
const maxSize = 65536

const metadata = (v: VariableRecord) => ({
  Namespace: v.Namespace,
  Path: v.Path,
  CreateIndex: v.CreateIndex,
  CreateTime: v.CreateTime,
  ModifyIndex: v.ModifyIndex,
  ModifyTime: v.ModifyTime
})

export const variablesList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw new HttpError(405, "Invalid method")
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  if (namespace !== "*") requireAccess(principal, namespace, "read")
  const prefix = ctx.query.get("prefix") ?? ""
  return blockingQuery(ctx, sim.store, () => ({
    index: sim.store.tableIndex("variables"),
    body: [...sim.store.variables.values()]
      .filter((v) =>
        (namespace === "*" ? visible(principal, v.Namespace) : v.Namespace === namespace) && v.Path.startsWith(prefix)
      )
      .sort(byKey((v) => varKey(v.Namespace, v.Path)))
      .map(metadata)
  }))
}

/** `parseCAS`: whether `?cas=` is set, and its index. */
const parseCas = (ctx: RequestContext): number | undefined => {
  const text = ctx.query.get("cas") ?? ""
  if (text === "") return undefined
  const parsed = parseGoInt(text, true)
  if (parsed instanceof Error) throw new HttpError(400, `can not parse cas: ${parsed.message}`)
  return parsed
}

/** The path rules of `VariableDecrypted.Validate`, which answer 500 (uncoded). */
const pathError = (path: string): string | undefined => {
  if (!validPath.test(path)) return `invalid path ${JSON.stringify(path)}`
  const parts = path.split("/")
  if (parts[0] !== "nomad") return undefined
  if (parts.length === 1) {
    return `"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", or below`
  }
  if (parts[1] === "jobs" || (parts[1] === "job-templates" && parts.length === 3)) return undefined
  if (parts[1] === "job-templates") {
    return `"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"`
  }
  return `only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory`
}

/** A 409 with what the check-and-set found: the variable, or a zero one when there was none. */
const conflict = (ctx: RequestContext, namespace: string, path: string, existing: VariableRecord | undefined) =>
  sendJson(
    ctx,
    409,
    existing ??
      { Namespace: namespace, Path: path, CreateIndex: 0, CreateTime: 0, ModifyIndex: 0, ModifyTime: 0, Items: null },
    indexHeader(existing?.ModifyIndex ?? 0)
  )

const readVariable = (ctx: RequestContext, sim: Sim, path: string) => {
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const v = sim.store.variables.get(varKey(namespace, path))
    return v === undefined
      ? { index: sim.store.tableIndex("variables"), error: new HttpError(404, "variable not found") }
      : { index: v.ModifyIndex, body: v }
  })
}

const writeVariable = async (ctx: RequestContext, sim: Sim, path: string) => {
  const body = (await decodeBody(ctx, "structs.VariableDecrypted")) ?? {}
  const items = field(body, "Items")
  if (items !== undefined && items !== null && !isObject(items)) {
    throw typeError(items, "VariableDecrypted.Items", "structs.VariableItems")
  }
  for (const value of Object.values(items ?? {})) {
    if (typeof value !== "string") throw typeError(value, "VariableDecrypted.Items", "string")
  }
  const bodyNamespace = field(body, "Namespace")
  if (bodyNamespace !== undefined && bodyNamespace !== null && typeof bodyNamespace !== "string") {
    throw typeError(bodyNamespace, "VariableDecrypted.Namespace", "string")
  }
  if (!isObject(items) || Object.keys(items).length === 0) {
    throw new HttpError(400, "variable missing required Items object")
  }
  const cas = parseCas(ctx)
  // The RPC keeps a namespace set in the body and falls back to the request's (the docs say the query wins).
  const namespace = (typeof bodyNamespace === "string" && bodyNamespace) || namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  if (namespace === "*") throw new HttpError(500, `can not target wildcard ("*")namespace`)
  const size = Object.entries(items).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
    0
  )
  if (size > maxSize) throw new HttpError(500, "variables are limited to 64KiB in total size")
  const problem = pathError(path)
  if (problem !== undefined) throw new HttpError(500, problem)
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  if (
    cas !== undefined &&
    ((cas === 0) !== (existing === undefined) || (existing !== undefined && existing.ModifyIndex !== cas))
  ) {
    return conflict(ctx, namespace, path, existing)
  }
  const index = sim.store.write("variables")
  const now = nowNanos()
  const stored: VariableRecord = {
    Namespace: namespace,
    Path: path,
    CreateIndex: existing?.CreateIndex ?? index,
    CreateTime: existing?.CreateTime ?? now,
    ModifyIndex: index,
    ModifyTime: now,
    Items: items as StringMap
  }
  sim.store.variables.set(key, stored)
  sendJson(ctx, 200, stored, indexHeader(index))
}

const deleteVariable = (ctx: RequestContext, sim: Sim, path: string) => {
  const cas = parseCas(ctx)
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  if (cas !== undefined && existing === undefined && cas !== 0) return conflict(ctx, namespace, path, undefined)
  if (cas !== undefined && existing !== undefined && existing.ModifyIndex !== cas) {
    return conflict(ctx, namespace, path, existing)
  }
  if (existing !== undefined) sim.store.variables.delete(key)
  sendEmpty(ctx, 204, indexHeader(sim.store.write("variables")))
}

export const variableSpecific: Handler = (ctx, sim) => {
  const path = ctx.path.slice("/v1/var/".length)
  if (path === "") throw new HttpError(400, "missing variable path")
  switch (ctx.method) {
    case "GET":
      return readVariable(ctx, sim, path)
    case "PUT":
    case "POST":
      return writeVariable(ctx, sim, path)
    case "DELETE":
      return deleteVariable(ctx, sim, path)
    default:
      // Nomad answers this route's wrong methods with 400, not 405.
      throw new HttpError(400, "Invalid method")
  }
}
