/**
 * How a variable travels (Nomad 1.11): the request body decoded as Go decodes
 * `structs.VariableDecrypted` (a `Lock` whose `TTL` and `LockDelay` are Go
 * durations or nanoseconds), the checks of `VariableDecrypted.Validate` and
 * `VariableLock.Validate`, and the JSON the server answers with: the
 * metadata fields in struct order, `Lock` and `Items` left out when empty
 * (`omitempty` since 1.7).
 */
import { randomUUID } from "node:crypto"
import { formatGoDuration } from "../GoFormat.ts"
import { parseGoDurationNanos } from "../GoParsers.ts"
import { decodeBody, field, HttpError, isObject, type RequestContext, typeError } from "./http.ts"
import type { StringMap, VariableLockRecord, VariableRecord } from "./model.ts"

export const varKey = (namespace: string, path: string) => `${namespace}\u0000${path}`

const validPath = /^[a-zA-Z0-9-_~/]{1,128}$/
const maxSize = 65536
const second = 1_000_000_000
/** `defaultLockTTL` and `defaultLockDelay`: what a lock gets when it names none (or zero). */
export const defaultLockNanos = 15 * second
const maxLockTtlNanos = 24 * 3600 * second

/** The `Lock` of a request: zero durations mean "Nomad's default", an empty ID "Nomad makes one". */
export interface LockInput {
  readonly ID: string
  readonly TTL: number
  readonly LockDelay: number
}

export interface VariableBody {
  /** The body's `Namespace`; it wins over `?namespace=` in `Variables.Apply`. */
  readonly namespace: string
  /** `undefined` for Go's nil map (absent or `null`), which a lock release tells apart from `{}`. */
  readonly items: StringMap | undefined
  readonly lock: LockInput | undefined
}

/** The Go error text of a JSON value that does not fit `goType` in the `Lock` field. */
const lockTypeError = (value: unknown, goType: string) => typeError(value, "VariableDecrypted.Lock", goType)

/** `VariableLock.UnmarshalJSON`: a duration is a Go duration string or nanoseconds; any other JSON is ignored. */
const lockDuration = (value: unknown): number => {
  if (typeof value === "number") return Math.trunc(value)
  if (typeof value !== "string" || value === "") return 0
  const nanos = parseGoDurationNanos(value)
  if (nanos instanceof Error) throw new HttpError(400, nanos.message)
  return nanos
}

const decodeLock = (value: unknown): LockInput | undefined => {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) {
    throw lockTypeError(value, "struct { TTL interface {}; LockDelay interface {}; *structs.Alias }")
  }
  const id = field(value, "ID")
  if (id !== undefined && id !== null && typeof id !== "string") throw lockTypeError(id, "string")
  return { ID: id ?? "", TTL: lockDuration(field(value, "TTL")), LockDelay: lockDuration(field(value, "LockDelay")) }
}

/** The body as `decodeBody` reads it into a `VariableDecrypted`: 400 with Go's decoder errors. */
export const decodeVariableBody = async (ctx: RequestContext): Promise<VariableBody> => {
  const body = (await decodeBody(ctx, "structs.VariableDecrypted")) ?? {}
  const items = field(body, "Items")
  if (items !== undefined && items !== null && !isObject(items)) {
    throw typeError(items, "VariableDecrypted.Items", "structs.VariableItems")
  }
  for (const value of Object.values(items ?? {})) {
    if (typeof value !== "string") throw typeError(value, "VariableDecrypted.Items", "string")
  }
  const namespace = field(body, "Namespace")
  if (namespace !== undefined && namespace !== null && typeof namespace !== "string") {
    throw typeError(namespace, "VariableDecrypted.Namespace", "string")
  }
  return {
    namespace: namespace ?? "",
    items: isObject(items) ? (items as StringMap) : undefined,
    lock: decodeLock(field(body, "Lock"))
  }
}

/** `VariableLock.Canonicalize`: an ID when none is given, 15 s for a zero TTL or delay. */
export const canonicalLock = (lock: LockInput): VariableLockRecord => ({
  ID: lock.ID === "" ? randomUUID() : lock.ID,
  TTL: lock.TTL === 0 ? defaultLockNanos : lock.TTL,
  LockDelay: lock.LockDelay === 0 ? defaultLockNanos : lock.LockDelay
})

/** go-multierror's list format, as `VariableLock.Validate` and friends return it. */
export const multierror = (problems: ReadonlyArray<string>): string =>
  problems.length === 1
    ? `1 error occurred:\n\t* ${problems[0]}\n\n`
    : `${problems.length} errors occurred:\n\t${problems.map((p) => `* ${p}`).join("\n\t")}\n\n`

/**
 * `VariableLock.Validate`. Real Nomad refuses a TTL under 10 s; `minTtlNanos` may lower that bound so tests
 * of several provider processes need not wait, and the message keeps Nomad's words.
 */
export const lockProblem = (lock: VariableLockRecord, minTtlNanos: number): string | undefined => {
  const problems: Array<string> = []
  if (lock.LockDelay < 0 || lock.TTL < 0) problems.push("Lock delay and TTL must be positive")
  if (lock.TTL > maxLockTtlNanos || lock.TTL < minTtlNanos) {
    problems.push("TTL must be between 10 seconds and 24 hours")
  }
  return problems.length === 0 ? undefined : multierror(problems)
}

/**
 * A validation failure of `Variables.Apply`: coded 400 by `canonicalizeAndValidate` and coded again by `Apply`,
 * so the text the HTTP layer answers with still starts with one `RPC Error:: 400,`.
 */
export const validationError = (message: string) => new HttpError(400, `RPC Error:: 400,${message}`)

/** `ValidatePath`. */
export const pathError = (path: string): string | undefined => {
  if (!validPath.test(path)) return `invalid path ${JSON.stringify(path)}`
  const parts = path.split("/")
  if (parts[0] !== "nomad") return undefined
  if (parts.length === 1) {
    return `"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", "nomad/sentinel", or below`
  }
  if (parts[1] === "jobs" || parts[1] === "sentinel" || (parts[1] === "job-templates" && parts.length === 3)) {
    return undefined
  }
  if (parts[1] === "job-templates") {
    return `"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"`
  }
  return `only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory`
}

/** `VariableItems.Size`: the bytes of every key and value. */
export const itemsSize = (items: StringMap): number =>
  Object.entries(items).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0)

export const sizeProblem = "variables are limited to 64KiB in total size"
export const tooLarge = (items: StringMap): boolean => itemsSize(items) > maxSize

/** `VariableLock.MarshalJSON`: the durations as Go prints them, then the ID. */
const lockJson = (lock: VariableLockRecord) => ({
  TTL: formatGoDuration(lock.TTL),
  LockDelay: formatGoDuration(lock.LockDelay),
  ID: lock.ID
})

/** `VariableMetadata`; `showLock` false for callers Nomad hides the lock from (not management, not its holder). */
export const metadataJson = (v: VariableRecord, showLock: boolean) => ({
  Namespace: v.Namespace,
  Path: v.Path,
  ...(showLock && v.Lock !== undefined ? { Lock: lockJson(v.Lock) } : {}),
  CreateIndex: v.CreateIndex,
  CreateTime: v.CreateTime,
  ModifyIndex: v.ModifyIndex,
  ModifyTime: v.ModifyTime
})

/** `VariableDecrypted`: write answers carry the request's items, reads the stored ones; none are left out. */
export const variableJson = (v: VariableRecord, showLock: boolean, items: StringMap | undefined = v.Items) => ({
  ...metadataJson(v, showLock),
  ...(items !== undefined && Object.keys(items).length > 0 ? { Items: items } : {})
})

/** The "plausible zero value" the state store answers a conflict with when it will not (or cannot) show the variable. */
export const zeroVariable = (namespace: string, path: string) => ({
  Namespace: namespace,
  Path: path,
  CreateIndex: 0,
  CreateTime: 0,
  ModifyIndex: 0,
  ModifyTime: 0
})

/** `isLocked`: the variable holds a lock the request does not carry the ID of. */
export const lockedAgainst = (existing: VariableRecord | undefined, lockId: string | undefined): boolean =>
  existing?.Lock !== undefined && existing.Lock.ID !== lockId
