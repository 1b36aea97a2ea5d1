/**
 * Turns an HTTP request into the request Vault's core works on (`http/logical.go`
 * `buildLogicalRequestNoAuth`): the operation from the method (`LIST` and `GET ?list=true` are the
 * same), the data from the JSON body or the query, the token, and the namespace. The errors this
 * stage answers with come before the seal check and before authentication, as in Vault.
 */
import { randomUUID } from "node:crypto"
import type { IncomingHttpHeaders } from "node:http"
import { parseGoBool } from "../GoParsers.ts"
import { isPlainObject } from "./goWire.ts"
import { errorReply, type VaultReply } from "./vaultReplies.ts"

/** The operation before Vault's existence check splits `update` into `create` and `update`. */
export type Operation = "read" | "list" | "update" | "delete" | "patch"

export interface LogicalRequest {
  readonly id: string
  readonly operation: Operation
  /** The path inside the namespace, without `/v1/`; ends with `/` for a list. */
  readonly path: string
  /** `""` for the root namespace, else the canonical `ns1/ns2/`. */
  readonly namespace: string
  readonly data: Readonly<Record<string, unknown>> | undefined
  readonly token: string | undefined
}

export type Built = { readonly ok: true; readonly request: LogicalRequest } | {
  readonly ok: false
  readonly reply: VaultReply
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `X-Vault-Token` first, else `Authorization: Bearer` (`getTokenFromReq`). */
const requestToken = (headers: IncomingHttpHeaders): string | undefined => {
  const token = header(headers, "x-vault-token")
  if (token !== undefined && token !== "") return token
  const authorization = header(headers, "authorization")
  return authorization?.startsWith("Bearer ") === true ? authorization.slice(7).trim() : undefined
}

/** `parseQuery`: one value stays a string, repeated values become a list. */
const queryData = (query: URLSearchParams): Record<string, unknown> | undefined => {
  const data: Record<string, unknown> = {}
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key)
    data[key] = values.length === 1 ? values[0] : values
  }
  return Object.keys(data).length === 0 ? undefined : data
}

const jsonBody = (body: string): { ok: true; data: Record<string, unknown> | undefined } | { ok: false } => {
  if (body.trim() === "") return { ok: true, data: undefined }
  try {
    const parsed: unknown = JSON.parse(body)
    return isPlainObject(parsed)
      ? { ok: true, data: parsed }
      : parsed === null
      ? { ok: true, data: undefined }
      : { ok: false }
  } catch {
    return { ok: false }
  }
}

const canonicalNamespace = (raw: string): string => {
  const trimmed = raw.replace(/^\/+|\/+$/g, "")
  return trimmed === "" || trimmed === "root" ? "" : `${trimmed}/`
}

/**
 * Vault Enterprise joins `X-Vault-Namespace` and the path, then takes the longest namespace that
 * exists as a prefix. Without Enterprise namespaces (the default) everything is in the root
 * namespace and the header is not looked at.
 */
const resolveNamespace = (path: string, headers: IncomingHttpHeaders, namespaces: ReadonlyArray<string>) => {
  if (namespaces.length === 0) return { namespace: "", path }
  const full = canonicalNamespace(header(headers, "x-vault-namespace") ?? "") + path
  const known = namespaces.map(canonicalNamespace).filter((ns) => ns !== "").sort((a, b) => b.length - a.length)
  const namespace = known.find((ns) => full.startsWith(ns)) ?? ""
  return { namespace, path: full.slice(namespace.length) }
}

export interface HttpInput {
  readonly method: string
  /** The URL path after `/v1/`. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export const buildLogicalRequest = (input: HttpInput, namespaces: ReadonlyArray<string>): Built => {
  const resolved = resolveNamespace(input.path, input.headers, namespaces)
  let path = resolved.path
  let operation: Operation
  let data: Record<string, unknown> | undefined
  switch (input.method) {
    case "GET": {
      operation = "read"
      const query = new URLSearchParams(input.query)
      const list = query.get("list")
      if (list !== null && list !== "") {
        const asList = parseGoBool(list)
        if (asList === undefined) return { ok: false, reply: errorReply(400) }
        if (asList) {
          query.delete("list")
          operation = "list"
        }
      }
      data = queryData(query)
      break
    }
    case "LIST":
      operation = "list"
      data = queryData(input.query)
      break
    case "DELETE":
      operation = "delete"
      data = queryData(input.query)
      break
    case "POST":
    case "PUT": {
      operation = "update"
      const parsed = jsonBody(input.body)
      if (!parsed.ok) return { ok: false, reply: errorReply(400, "error parsing JSON") }
      data = parsed.data
      break
    }
    case "PATCH": {
      operation = "patch"
      const contentType = (header(input.headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase()
      if (contentType === "") return { ok: false, reply: errorReply(400, "mime: no media type") }
      if (contentType !== "application/merge-patch+json") {
        return {
          ok: false,
          reply: errorReply(415, `PATCH requires Content-Type of application/merge-patch+json, provided ${contentType}`)
        }
      }
      const parsed = jsonBody(input.body)
      if (!parsed.ok) return { ok: false, reply: errorReply(400, "error parsing JSON") }
      data = parsed.data
      break
    }
    default:
      return { ok: false, reply: errorReply(405) }
  }
  if (operation === "list" && !path.endsWith("/")) path += "/"
  return {
    ok: true,
    request: {
      id: randomUUID(),
      operation,
      path,
      namespace: resolved.namespace,
      data,
      token: requestToken(input.headers)
    }
  }
}
