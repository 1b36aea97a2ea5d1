/**
 * Nomad's ACLs reduced to what a provider meets: a management token, and
 * client tokens with read (and maybe write) rights on some namespaces. The
 * token comes from `X-Nomad-Token` or `Authorization: Bearer`, as
 * `parseToken` reads them.
 */
import { HttpError, type RequestContext } from "./http.ts"

export interface AclOptions {
  readonly managementToken: string
  readonly tokens?: Readonly<
    Record<string, { readonly namespaces: ReadonlyArray<string> | "*"; readonly write: boolean }>
  >
}

export interface Principal {
  readonly management: boolean
  readonly namespaces: ReadonlyArray<string> | "*"
  readonly write: boolean
}

export type Access = "read" | "write"

/** Everything allowed: what callers get when ACLs are off. */
const unrestricted: Principal = { management: true, namespaces: "*", write: true }
const anonymous: Principal = { management: false, namespaces: [], write: false }

/** `X-Nomad-Token` (trimmed) wins; otherwise `Authorization: <scheme> <value>` with a case-insensitive `Bearer`. */
export const tokenOf = (ctx: RequestContext): string => {
  const header = ctx.req.headers["x-nomad-token"]
  const direct = Array.isArray(header) ? header[0] : header
  if (direct !== undefined && direct !== "") return direct.trim()
  const authorization = ctx.req.headers.authorization
  if (authorization !== undefined && authorization !== "") {
    const parts = authorization.split(" ")
    if (parts.length > 1 && parts[0]!.toLowerCase() === "bearer") return parts.slice(1).join(" ").trim()
  }
  return ""
}

/** The caller; 403 `ACL token not found` for a secret Nomad does not know. */
export const resolvePrincipal = (acl: AclOptions | undefined, ctx: RequestContext): Principal => {
  if (acl === undefined) return unrestricted
  const token = tokenOf(ctx)
  if (token === "") return anonymous
  if (token === acl.managementToken) return unrestricted
  const client = acl.tokens?.[token]
  if (client === undefined) throw new HttpError(403, "ACL token not found")
  return { management: false, namespaces: client.namespaces, write: client.write }
}

/** Whether the caller may act on `namespace`; `*` asks whether it may act on any. */
export const allows = (principal: Principal, namespace: string, access: Access): boolean => {
  if (principal.management) return true
  if (access === "write" && !principal.write) return false
  if (principal.namespaces === "*") return true
  return namespace === "*" ? principal.namespaces.length > 0 : principal.namespaces.includes(namespace)
}

export const requireAccess = (principal: Principal, namespace: string, access: Access): void => {
  if (!allows(principal, namespace, access)) throw new HttpError(403, "Permission denied")
}

export const requireManagement = (principal: Principal): void => {
  if (!principal.management) throw new HttpError(403, "Permission denied")
}

/** The namespaces a `*` list may show: all of them for a wildcard token. */
export const visible = (principal: Principal, namespace: string): boolean =>
  principal.management || principal.namespaces === "*" || principal.namespaces.includes(namespace)
