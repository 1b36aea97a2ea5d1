/**
 * The query parameters every Consul read shares, parsed as the agent does and
 * in its order: namespace and partition (refused, as by Consul CE), then
 * datacenter, token, filter, consistency, `wait` and `index`, each with the
 * agent's 400 message.
 */
import type { IncomingHttpHeaders } from "node:http"
import { parseGoDuration, parseGoUint64 } from "../GoParsers.ts"
import { HttpError } from "./ConsulHttp.ts"

export interface QueryOptions {
  readonly datacenter: string
  readonly token: string
  readonly filter: string
  /** What `X-Consul-Effective-Consistency` reports. */
  readonly consistency: "leader" | "stale" | "consistent"
  /** 0: do not block. */
  readonly minIndex: number
  /** As asked; clamping and the default are the blocking query's business. */
  readonly waitMs: number | undefined
}

/**
 * `?token=` (deprecated, still first), then `X-Consul-Token`, then
 * `Authorization: Bearer <token>`; empty means the anonymous token.
 */
export const requestToken = (query: URLSearchParams, headers: IncomingHttpHeaders): string => {
  const fromQuery = query.get("token") ?? ""
  if (fromQuery !== "") return fromQuery
  const consulToken = headerValue(headers, "x-consul-token")
  if (consulToken !== "") return consulToken
  const parts = (headers.authorization ?? "").split(" ")
  if (parts.length > 1 && parts[0]!.toLowerCase() === "bearer") {
    return parts.slice(1).join(" ").trim().split(" ")[0]!.trim()
  }
  return ""
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] ?? "" : value ?? ""
}

/** Consul CE refuses namespaces and partitions outright, even "default" (`agent/http_ce.go`). */
const refuseEnterpriseParameters = (query: URLSearchParams, headers: IncomingHttpHeaders): void => {
  const features = [
    ["ns", "X-Consul-Namespace", "Namespaces"],
    ["partition", "X-Consul-Partition", "Partitions"]
  ] as const
  for (const [parameter, header, feature] of features) {
    if (headerValue(headers, header.toLowerCase()) !== "") {
      throw new HttpError(400, `Invalid header: "${header}" - ${feature} are a Consul Enterprise feature`)
    }
    if ((query.get(parameter) ?? "") !== "") {
      throw new HttpError(400, `Invalid query parameter: "${parameter}" - ${feature} are a Consul Enterprise feature`)
    }
  }
}

export const parseQueryOptions = (
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  agentDatacenter: string
): QueryOptions => {
  refuseEnterpriseParameters(query, headers)
  const datacenter = query.get("dc") || agentDatacenter
  const token = requestToken(query, headers)
  const filter = query.get("filter") ?? ""
  let stale = query.has("stale")
  const consistent = query.has("consistent")
  const maxStale = query.get("max_stale") ?? ""
  if (maxStale !== "") {
    const ms = parseGoDuration(maxStale)
    if (ms === undefined) throw new HttpError(400, `Invalid max_stale value ${JSON.stringify(maxStale)}`)
    if (ms > 0) stale = true
  }
  if (stale && consistent) throw new HttpError(400, "Cannot specify ?stale with ?consistent, conflicting semantics.")
  const wait = query.get("wait") ?? ""
  const waitMs = wait === "" ? undefined : parseGoDuration(wait)
  if (wait !== "" && waitMs === undefined) throw new HttpError(400, "Invalid wait time")
  const index = query.get("index") ?? ""
  const minIndex = index === "" ? 0 : parseGoUint64(index)
  if (minIndex === undefined) throw new HttpError(400, "Invalid index")
  return {
    datacenter,
    token,
    filter,
    consistency: consistent ? "consistent" : stale ? "stale" : "leader",
    minIndex,
    waitMs
  }
}
