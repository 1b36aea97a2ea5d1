/**
 * How Nomad's HTTP layer talks: minimised PascalCase JSON with no trailing
 * newline, plain-text errors, request bodies decoded the way Go's
 * `encoding/json` does it (case-insensitive keys, typed errors), and query
 * values parsed with `strconv`'s error texts.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import * as GoParsers from "../GoParsers.ts"
import { readBody } from "../SimServer.ts"

/** A handler failure that becomes a plain-text response, as Nomad's `CodedError`. */
export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export const invalidMethod = () => new HttpError(405, "Invalid method")

/** A path the real server answers but the simulator does not: answered like an unknown route. */
export class NotServed extends Error {}

export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly method: string
  /** Percent-decoded, as Go's `URL.Path`. */
  readonly path: string
  readonly query: URLSearchParams
  /** Aborts when the client goes away, so blocked queries and streams stop. */
  readonly signal: AbortSignal
}

export type JsonObject = Record<string, unknown>

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const sendJson = (ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const pretty = ctx.query.has("pretty")
  const text = pretty ? `${JSON.stringify(body, null, 4)}\n` : JSON.stringify(body)
  ctx.res.writeHead(status, { ...headers, "content-type": "application/json" })
  ctx.res.end(text)
}

export const sendText = (
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {}
) => {
  res.writeHead(status, { ...headers, "content-type": "text/plain; charset=utf-8" })
  res.end(message)
}

/** A handler that returns nil in Nomad: 200 and no body at all. */
export const sendEmpty = (ctx: RequestContext, status: number, headers: Record<string, string> = {}) => {
  ctx.res.writeHead(status, headers)
  ctx.res.end()
}

/** The value of `name` in `obj`, matched like Go's decoder: exact or case-insensitive, the last one in the document wins. */
export const field = (obj: JsonObject, name: string): unknown => {
  const lower = name.toLowerCase()
  let found: unknown = undefined
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) found = obj[key]
  return found
}

const jsonKind = (value: unknown): string => {
  if (Array.isArray(value)) return "array"
  if (value === null) return "null"
  if (typeof value === "boolean") return "bool"
  return typeof value === "number" || typeof value === "string" ? typeof value : "object"
}

/** Go's `UnmarshalTypeError` text. */
export const typeError = (value: unknown, where: string, goType: string) => {
  const kind = typeof value === "number" && goType.includes("int") ? `number ${value}` : jsonKind(value)
  return new HttpError(400, `json: cannot unmarshal ${kind} into Go struct field ${where} of type ${goType}`)
}

/** Decodes a request body as `decodeBody` does: `Request body is empty` without one, Go's decoder errors with a bad one. */
export const decodeBody = async (ctx: RequestContext, goType: string): Promise<JsonObject | null> => {
  const chunked = /chunked/i.test(ctx.req.headers["transfer-encoding"] ?? "")
  const text = await readBody(ctx.req)
  if (text === "" && !chunked) throw new HttpError(400, "Request body is empty")
  if (text.trim() === "") throw new HttpError(400, "EOF")
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new HttpError(400, goSyntaxError(text, cause))
  }
  if (value === null) return null
  if (!isObject(value)) {
    throw new HttpError(400, `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`)
  }
  return value
}

/** An approximation of Go's `SyntaxError` wording for what `JSON.parse` rejected. */
const goSyntaxError = (text: string, cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : ""
  if (/end of JSON input|Unterminated/i.test(message)) return "unexpected EOF"
  const position = /position (\d+)/.exec(message)
  const at = position === null ? text.search(/\S/) : Number(position[1])
  return `invalid character '${text.charAt(at)}' looking for beginning of value`
}

/** `strconv.ParseBool`: `1 t T TRUE true True 0 f F FALSE false False`. */
export const parseGoBool = (text: string): boolean | Error =>
  GoParsers.parseGoBool(text) ?? new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`)

/** `strconv.ParseInt(s, 10, 64)` (or `ParseUint` when `unsigned`). */
export const parseGoInt = (text: string, unsigned = false): number | Error => {
  const fn = unsigned ? "ParseUint" : "ParseInt"
  if (!(unsigned ? /^\+?\d+$/ : /^[+-]?\d+$/).test(text)) {
    return new Error(`strconv.${fn}: parsing ${JSON.stringify(text)}: invalid syntax`)
  }
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    return new Error(`strconv.${fn}: parsing ${JSON.stringify(text)}: value out of range`)
  }
  return value
}

/** The caller's namespace, `default` when unset, as `parseNamespace` does. */
export const namespaceOf = (ctx: RequestContext): string => {
  const namespace = ctx.query.get("namespace")
  return namespace === null || namespace === "" ? "default" : namespace
}

/** Nomad's "known leader" headers without an index (write endpoints set only `X-Nomad-Index`). */
export const indexHeader = (index: number): Record<string, string> => ({ "x-nomad-index": String(index) })

/** Sorts by the same key Nomad's memdb indexes iterate in. */
export const byKey = <A>(key: (a: A) => string) => (a: A, b: A): number => {
  const x = key(a)
  const y = key(b)
  return x < y ? -1 : x > y ? 1 : 0
}
