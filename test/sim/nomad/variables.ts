/**
 * Nomad Variables: `GET /v1/vars` and `GET|PUT|DELETE /v1/var/:path`, with
 * `?cas=` check-and-set and the lock operations of `variableLocks.ts`. A
 * conflict answers 409 with the conflicting variable, or a zero one when it
 * does not exist or is locked by another (a write or delete without the lock's
 * ID; a DELETE carries none, so a locked variable must be released first); a
 * delete answers 204. The lock is shown to management tokens and its holder.
 */
import { requireAccess, visible } from "./acl.ts"
import { blockingQuery } from "./blocking.ts"
import {
  byKey,
  HttpError,
  indexHeader,
  namespaceOf,
  parseGoInt,
  type RequestContext,
  sendEmpty,
  sendJson
} from "./http.ts"
import type { VariableRecord } from "./model.ts"
import type { Handler, Sim } from "./sim.ts"
import { acquireLock, expireLocks, releaseLock, renewLock } from "./variableLocks.ts"
import {
  canonicalLock,
  decodeVariableBody,
  lockedAgainst,
  lockProblem,
  metadataJson,
  pathError,
  sizeProblem,
  tooLarge,
  validationError,
  variableJson,
  varKey,
  zeroVariable
} from "./variableWire.ts"

export const variablesList: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw new HttpError(405, "Invalid method")
  expireLocks(sim)
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
      .map((v) => metadataJson(v, principal.management))
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

/** A 409 with what the state store found: the variable (lock and all), or a zero one. */
const conflict = (ctx: RequestContext, namespace: string, path: string, existing: VariableRecord | undefined) =>
  sendJson(
    ctx,
    409,
    existing === undefined ? zeroVariable(namespace, path) : variableJson(existing, true),
    indexHeader(existing?.ModifyIndex ?? 0)
  )

/** `varSetCASTxn`'s checks: 0 means "only if it does not exist". */
const casFails = (cas: number | undefined, existing: VariableRecord | undefined): boolean =>
  cas !== undefined && (existing === undefined ? cas !== 0 : existing.ModifyIndex !== cas)

const readVariable = (ctx: RequestContext, sim: Sim, path: string) => {
  const namespace = namespaceOf(ctx)
  const principal = sim.principal(ctx)
  requireAccess(principal, namespace, "read")
  return blockingQuery(ctx, sim.store, () => {
    const v = sim.store.variables.get(varKey(namespace, path))
    return v === undefined
      ? { index: sim.store.tableIndex("variables"), error: new HttpError(404, "variable not found") }
      : { index: v.ModifyIndex, body: variableJson(v, principal.management) }
  })
}

const writeVariable = async (ctx: RequestContext, sim: Sim, path: string) => {
  const body = await decodeVariableBody(ctx)
  const items = body.items ?? {}
  if (Object.keys(items).length === 0) throw new HttpError(400, "variable missing required Items object")
  const cas = parseCas(ctx)
  // The RPC keeps a namespace set in the body and falls back to the request's (the docs say the query wins).
  const namespace = body.namespace || namespaceOf(ctx)
  const principal = sim.principal(ctx)
  requireAccess(principal, namespace, "write")
  // A plain write may carry the lock's ID (to write a variable it holds), never lock settings.
  if (body.lock !== undefined && (body.lock.TTL !== 0 || body.lock.LockDelay !== 0)) {
    throw validationError("RPC Error:: 400,variable should not contain lock definition")
  }
  // Canonicalized like any lock: the stored lock's TTL and delay become the 15 s defaults.
  const lock = body.lock === undefined ? undefined : canonicalLock(body.lock)
  if (namespace === "*") throw validationError(`can not target wildcard ("*")namespace`)
  if (tooLarge(items)) throw validationError(sizeProblem)
  const badPath = pathError(path)
  if (badPath !== undefined) throw validationError(badPath)
  const badLock = lock === undefined ? undefined : lockProblem(lock, sim.minLockTtlMs * 1_000_000)
  if (badLock !== undefined) throw validationError(badLock)
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  if (casFails(cas, existing)) return conflict(ctx, namespace, path, existing)
  if (lockedAgainst(existing, lock?.ID)) return conflict(ctx, namespace, path, undefined)
  const index = sim.store.write("variables")
  const now = sim.now() * 1_000_000
  const stored: VariableRecord = {
    Namespace: namespace,
    Path: path,
    ...(lock === undefined ? {} : { Lock: lock }),
    CreateIndex: existing?.CreateIndex ?? index,
    CreateTime: existing?.CreateTime ?? now,
    ModifyIndex: index,
    ModifyTime: now,
    Items: items
  }
  sim.store.variables.set(key, stored)
  sendJson(ctx, 200, variableJson(stored, lock !== undefined || principal.management), indexHeader(index))
}

const deleteVariable = (ctx: RequestContext, sim: Sim, path: string) => {
  const cas = parseCas(ctx)
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  if (casFails(cas, existing)) return conflict(ctx, namespace, path, existing)
  if (lockedAgainst(existing, undefined)) return conflict(ctx, namespace, path, undefined)
  if (existing !== undefined) sim.store.variables.delete(key)
  sendEmpty(ctx, 204, indexHeader(sim.store.write("variables")))
}

type LockOperation = "lock-acquire" | "lock-renew" | "lock-release"
const lockOperations: ReadonlyArray<LockOperation> = ["lock-acquire", "lock-renew", "lock-release"]

/** `getLockOperation`: the one lock parameter present (with any value), or none. */
const lockOperation = (query: URLSearchParams): LockOperation | undefined => {
  const present = lockOperations.filter((op) => query.has(op))
  if (present.length > 1) throw new HttpError(400, "multiple lock operations")
  return present[0]
}

const upsert = (ctx: RequestContext, sim: Sim, path: string) => {
  const operation = lockOperation(ctx.query)
  if ((ctx.query.get("cas") ?? "") !== "" && operation !== undefined) {
    throw new HttpError(400, "CAS can't be used with lock operations")
  }
  switch (operation) {
    case undefined:
      return writeVariable(ctx, sim, path)
    case "lock-acquire":
      return acquireLock(ctx, sim, path)
    case "lock-renew":
      return renewLock(ctx, sim, path)
    case "lock-release":
      return releaseLock(ctx, sim, path)
  }
}

export const variableSpecific: Handler = (ctx, sim) => {
  const path = ctx.path.slice("/v1/var/".length)
  if (path === "") throw new HttpError(400, "missing variable path")
  expireLocks(sim)
  switch (ctx.method) {
    case "GET":
      return readVariable(ctx, sim, path)
    case "PUT":
    case "POST":
      return upsert(ctx, sim, path)
    case "DELETE":
      return deleteVariable(ctx, sim, path)
    default:
      // Nomad answers this route's wrong methods with 400, not 405.
      throw new HttpError(400, "Invalid method")
  }
}
