/**
 * Task logs and `GET /v1/client/fs/logs/:alloc_id`: StreamFrame JSON objects
 * concatenated with no separator (or the raw bytes with `plain=true`), `{}`
 * heartbeats while following, and the end of the stream once the logs are
 * read without `follow` or the allocation is over.
 */
import { type Principal, requireAccess } from "./acl.ts"
import { groupOf } from "./allocations.ts"
import { HttpError, parseGoBool, parseGoInt, type RequestContext } from "./http.ts"
import { isTerminal } from "./jobViews.ts"
import type { Store } from "./store.ts"

/** The most data one frame carries, as the client's stream framer. */
const frameSize = 64 * 1024

type LogType = "stdout" | "stderr"
type Follower = (event: "data" | "end") => void

const logKey = (allocId: string, task: string, type: LogType) => `${allocId}\u0000${task}\u0000${type}`

export class LogStore {
  private readonly logs = new Map<string, Buffer>()
  private readonly followers = new Map<string, Set<Follower>>()

  append(allocId: string, task: string, type: LogType, text: string): void {
    const key = logKey(allocId, task, type)
    this.logs.set(key, Buffer.concat([this.read(allocId, task, type), Buffer.from(text, "utf8")]))
    for (const follower of this.followers.get(key) ?? []) follower("data")
  }

  read(allocId: string, task: string, type: LogType): Buffer {
    return this.logs.get(logKey(allocId, task, type)) ?? Buffer.alloc(0)
  }

  follow(allocId: string, task: string, type: LogType, follower: Follower): () => void {
    const key = logKey(allocId, task, type)
    const set = this.followers.get(key) ?? new Set()
    set.add(follower)
    this.followers.set(key, set)
    return () => set.delete(follower)
  }

  /** Ends the streams following an allocation's logs (or every stream). */
  end(allocId?: string): void {
    for (const [key, set] of this.followers) {
      if (allocId === undefined || key.startsWith(`${allocId}\u0000`)) {
        for (const follower of [...set]) follower("end")
      }
    }
  }
}

interface LogRequest {
  readonly allocId: string
  readonly task: string
  readonly type: LogType
  readonly follow: boolean
  readonly plain: boolean
  readonly offset: number
  readonly origin: "start" | "end"
}

/** The parameter checks of `HTTPServer.Logs`, in its order and with its texts. */
const parseLogRequest = (ctx: RequestContext): LogRequest => {
  const allocId = ctx.path.slice("/v1/client/fs/logs/".length)
  if (allocId === "") throw new HttpError(400, "must provide a valid alloc id")
  const task = ctx.query.get("task") ?? ""
  if (task === "") throw new HttpError(400, "must provide task name")
  const bool = (name: string): boolean => {
    const text = ctx.query.get(name) ?? ""
    if (text === "") return false
    const parsed = parseGoBool(text)
    if (parsed instanceof Error) throw new HttpError(400, `failed to parse ${name} field to boolean: ${parsed.message}`)
    return parsed
  }
  const follow = bool("follow")
  const plain = bool("plain")
  const type = ctx.query.get("type")
  if (type !== "stdout" && type !== "stderr") throw new HttpError(400, "must provide log type (stdout/stderr)")
  const offsetText = ctx.query.get("offset") ?? ""
  const offset = offsetText === "" ? 0 : parseGoInt(offsetText)
  if (offset instanceof Error) throw new HttpError(400, `error parsing offset: ${offset.message}`)
  const origin = ctx.query.get("origin") || "start"
  if (origin !== "start" && origin !== "end") throw new HttpError(400, "origin must be start or end")
  return { allocId, task, type, follow, plain, offset, origin }
}

export interface LogsDeps {
  readonly store: Store
  readonly logs: LogStore
  readonly principal: (ctx: RequestContext) => Principal
  readonly heartbeatMs: number
}

export const streamLogs = (ctx: RequestContext, deps: LogsDeps): void => {
  const request = parseLogRequest(ctx)
  const principal = deps.principal(ctx)
  const alloc = deps.store.allocs.get(request.allocId)
  if (alloc === undefined) throw new HttpError(404, `Unknown allocation ${JSON.stringify(request.allocId)}`)
  requireAccess(principal, alloc.namespace, "read")
  const known = (groupOf(alloc.job, alloc.group)?.Tasks ?? []).some((t) => t.Name === request.task)
  if (!known) throw new HttpError(400, `unknown task name ${JSON.stringify(request.task)}`)
  const state = alloc.taskStates[request.task]
  if (state === undefined || state.StartedAt === null) {
    throw new HttpError(404, `task ${JSON.stringify(request.task)} not started yet. No logs available`)
  }

  const file = `alloc/logs/${request.task}.${request.type}.0`
  const size = deps.logs.read(alloc.id, request.task, request.type).length
  let position = request.origin === "start"
    ? Math.min(Math.max(0, request.offset), size)
    : Math.max(0, size - request.offset)
  ctx.res.writeHead(200, { "content-type": request.plain ? "text/plain" : "application/json" })

  const flush = () => {
    const data = deps.logs.read(alloc.id, request.task, request.type)
    while (position < data.length) {
      const chunk = data.subarray(position, position + frameSize)
      position += chunk.length
      ctx.res.write(
        request.plain ? chunk : JSON.stringify({ Offset: position, Data: chunk.toString("base64"), File: file })
      )
    }
  }
  flush()
  if (!request.follow || isTerminal(alloc)) {
    ctx.res.end()
    return
  }
  const heartbeat = setInterval(() => {
    if (!request.plain) ctx.res.write("{}")
  }, deps.heartbeatMs)
  const finish = () => {
    clearInterval(heartbeat)
    unfollow()
    ctx.signal.removeEventListener("abort", finish)
    if (!ctx.res.writableEnded) ctx.res.end()
  }
  const unfollow = deps.logs.follow(alloc.id, request.task, request.type, (event) => {
    flush()
    if (event === "end") finish()
  })
  ctx.signal.addEventListener("abort", finish)
}
