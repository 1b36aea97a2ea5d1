/**
 * Variable locks (Nomad ≥ 1.7): `PUT /v1/var/:path?lock-acquire`,
 * `?lock-renew` and `?lock-release`, with the state checks of
 * `VarLockAcquire`/`VarLockRelease`, the errors of `Variables.RenewLock`, and
 * the server's lock timers (`nomad/locks.go`): a lock not renewed within
 * twice its TTL (Nomad's grace for slow clients) is lost, and its variable
 * keeps the lock for `LockDelay` more before Nomad strips it, so nobody can
 * acquire it until then. Time is the simulator's `now`: timers fire when a
 * request (or the simulator's sweep) finds them due, so a test that moves
 * its clock sees expiry at once, without sleeping.
 */
import { requireAccess } from "./acl.ts"
import { HttpError, indexHeader, namespaceOf, type RequestContext, sendJson } from "./http.ts"
import type { VariableLockRecord, VariableRecord } from "./model.ts"
import type { Sim } from "./sim.ts"
import {
  canonicalLock,
  decodeVariableBody,
  lockedAgainst,
  lockProblem,
  metadataJson,
  multierror,
  pathError,
  sizeProblem,
  tooLarge,
  validationError,
  variableJson,
  varKey,
  zeroVariable
} from "./variableWire.ts"

interface TtlTimer {
  expiresAt: number
  readonly namespace: string
  readonly path: string
  readonly lockDelayMs: number
}

interface DelayTimer {
  readonly at: number
  readonly namespace: string
  readonly path: string
}

const nanosToMs = (nanos: number) => nanos / 1_000_000

/** Nomad's `lockTTLTimer` (keyed by lock ID) and the `time.AfterFunc` lock delays that follow an expiry. */
export class LockTimers {
  private readonly ttl = new Map<string, TtlTimer>()
  private readonly delays: Array<DelayTimer> = []

  /** `CreateVariableLockTTLTimer`: a timer of twice the TTL; one already running for the ID is left alone. */
  create(variable: VariableRecord, lock: VariableLockRecord, now: number): void {
    if (this.ttl.has(lock.ID)) return
    this.ttl.set(lock.ID, {
      expiresAt: now + 2 * nanosToMs(lock.TTL),
      namespace: variable.Namespace,
      path: variable.Path,
      lockDelayMs: nanosToMs(lock.LockDelay)
    })
  }

  /** `RenewTTLTimer`, with the TTL the variable holds now; false when the timer already fired. */
  renew(lock: VariableLockRecord, now: number): boolean {
    const timer = this.ttl.get(lock.ID)
    if (timer === undefined) return false
    timer.expiresAt = now + 2 * nanosToMs(lock.TTL)
    return true
  }

  /** `RemoveVariableLockTTLTimer`: a release stops the timer; a delay already under way still runs out. */
  remove(lockId: string): void {
    this.ttl.delete(lockId)
  }

  /** The variables whose lock delay has ended by `now`, in the order they ended; expired TTLs start their delays. */
  due(now: number): ReadonlyArray<DelayTimer> {
    for (const [id, timer] of this.ttl) {
      if (timer.expiresAt > now) continue
      this.ttl.delete(id)
      this.delays.push({ at: timer.expiresAt + timer.lockDelayMs, namespace: timer.namespace, path: timer.path })
    }
    this.delays.sort((a, b) => a.at - b.at)
    const ended = this.delays.findIndex((d) => d.at > now)
    return this.delays.splice(0, ended === -1 ? this.delays.length : ended)
  }
}

/**
 * Runs the timers due by the simulator's clock. An ended delay is `invalidateVariableLock`: a lock release with
 * no lock ID, which strips whatever lock the variable holds then (even one taken since), keeping its items.
 */
export const expireLocks = (sim: Sim): void => {
  for (const { namespace, path } of sim.locks.due(sim.now())) {
    const key = varKey(namespace, path)
    const variable = sim.store.variables.get(key)
    if (variable?.Lock === undefined) continue
    const { Lock: _released, ...rest } = variable
    sim.store.variables.set(key, { ...rest, ModifyIndex: sim.store.write("variables") })
  }
}

/** `Variables.Apply` with `lock-acquire`: creates the variable if need be; its items become the request's. */
export const acquireLock = async (ctx: RequestContext, sim: Sim, path: string) => {
  const body = await decodeVariableBody(ctx)
  const namespace = body.namespace || namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const lock = canonicalLock(body.lock ?? { ID: "", TTL: 0, LockDelay: 0 })
  // `ValidateForLock`: unlike a plain write, a lock needs no items.
  if (namespace === "*") throw validationError(multierror([`can not target wildcard ("*")namespace`]))
  if (body.items !== undefined && tooLarge(body.items)) throw validationError(sizeProblem)
  const badPath = pathError(path)
  if (badPath !== undefined) throw validationError(badPath)
  const badLock = lockProblem(lock, sim.minLockTtlMs * 1_000_000)
  if (badLock !== undefined) throw validationError(badLock)
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  // The handler writes the 409 before its deferred `setIndex`, so the answer carries no index.
  if (lockedAgainst(existing, lock.ID)) return sendJson(ctx, 409, zeroVariable(namespace, path))
  const index = sim.store.write("variables")
  const now = sim.now() * 1_000_000
  const stored: VariableRecord = {
    Namespace: namespace,
    Path: path,
    Lock: lock,
    CreateIndex: existing?.CreateIndex ?? index,
    CreateTime: existing?.CreateTime ?? now,
    ModifyIndex: index,
    ModifyTime: now,
    Items: body.items ?? {}
  }
  sim.store.variables.set(key, stored)
  sim.locks.create(stored, lock, sim.now())
  sendJson(ctx, 200, variableJson(stored, true, body.items), indexHeader(index))
}

/** `Variables.Apply` with `lock-release`: only the holder's ID releases; the items stay, `ModifyTime` too. */
export const releaseLock = async (ctx: RequestContext, sim: Sim, path: string) => {
  const body = await decodeVariableBody(ctx)
  const namespace = body.namespace || namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  if (body.lock === undefined || body.lock.ID === "") throw validationError("missing lock information")
  if (body.items !== undefined) throw validationError("lock release operation doesn't take variable items")
  const badPath = pathError(path)
  if (badPath !== undefined) throw validationError(badPath)
  const key = varKey(namespace, path)
  const existing = sim.store.variables.get(key)
  // The state store's own errors come back uncoded: 500.
  if (existing === undefined) throw new HttpError(500, "variable doesn't exist")
  if (existing.Lock === undefined) throw new HttpError(500, "variable doesn't hold a lock")
  if (existing.Lock.ID !== body.lock.ID) return sendJson(ctx, 409, zeroVariable(namespace, path))
  const { Lock: _released, ...rest } = existing
  const released: VariableRecord = { ...rest, ModifyIndex: sim.store.write("variables") }
  sim.store.variables.set(key, released)
  sim.locks.remove(body.lock.ID)
  sendJson(ctx, 200, metadataJson(released, true), indexHeader(released.ModifyIndex))
}

/** `Variables.RenewLock`: in the request's namespace (the body's is not read); answers metadata and no index. */
export const renewLock = async (ctx: RequestContext, sim: Sim, path: string) => {
  const body = await decodeVariableBody(ctx)
  const namespace = namespaceOf(ctx)
  requireAccess(sim.principal(ctx), namespace, "write")
  const lockId = body.lock?.ID ?? ""
  if (lockId === "") throw new HttpError(500, multierror(["missing lock ID"]))
  const existing = sim.store.variables.get(varKey(namespace, path))
  if (existing === undefined) throw new HttpError(404, "variable doesn't exist")
  if (existing.Lock === undefined) throw new HttpError(409, "variable doesn't hold a lock")
  // A lock past its TTL keeps its variable locked through the delay, but its timer is gone: it cannot be renewed.
  if (existing.Lock.ID !== lockId || !sim.locks.renew(existing.Lock, sim.now())) {
    throw new HttpError(409, "attempting to modify locked variable")
  }
  sendJson(ctx, 200, metadataJson(existing, true))
}
