/**
 * The flow every catalog and health read shares, in the agent's order:
 * query options (400s), the endpoint's own argument checks, forwarding to the
 * datacenter (500 `No path to datacenter`), the token (403 `ACL not found`),
 * the filter (500), then the possibly blocking query and the meta headers.
 */
import { createFilter, type FieldType } from "./BexprFilter.ts"
import { type BlockedQueries, effectiveWaitMs } from "./BlockedQueries.ts"
import type { ConsulAcl, Principal } from "./ConsulAcl.ts"
import type { ConsulCatalog } from "./ConsulCatalog.ts"
import { HttpError, queryMetaHeaders } from "./ConsulHttp.ts"
import type { RouteCall } from "./ConsulRouter.ts"
import { parseQueryOptions, type QueryOptions } from "./QueryOptions.ts"

/** What the routes of the simulated agent share. */
export interface ConsulContext {
  readonly catalog: ConsulCatalog
  readonly acl: ConsulAcl
  readonly blocked: BlockedQueries
  readonly datacenter: string
  /** Consul's `use_streaming_backend` (on by default): blocking health queries are served from a materialised view. */
  readonly streamingBackend: boolean
}

export interface QueryResult {
  readonly index: number
  readonly body: unknown
  /** Whether the ACLs hid anything: `X-Consul-Results-Filtered-By-ACLs`. */
  readonly filteredByAcls: boolean
}

/** Checks arguments, then given the caller, builds the query (which may throw `FilterError`). */
export type PrepareQuery = (options: QueryOptions) => (principal: Principal) => () => QueryResult

/** Keeps the rows the principal may read, and says whether any were dropped. */
export const readable = <A>(context: ConsulContext, principal: Principal, rows: ReadonlyArray<A>) => {
  const kept = context.acl.canRead(principal) ? rows : []
  return { rows: kept, filtered: kept.length < rows.length }
}

/** How a read of the rows named by the path's last segment gets them. */
export interface RowsQuery<A> {
  /** The 400 when the path names nothing. */
  readonly missing: string
  /** What `?filter=` is checked against. */
  readonly schema: FieldType
  readonly rows: (name: string) => ReadonlyArray<A>
  readonly index: (name: string) => number
}

/**
 * The `PrepareQuery` of a read of the rows `name` (the path's rest) names: 400 `missing` when it is
 * empty, then the filter; each run takes the rows, keeps those the principal may read, filters them,
 * then reads the index.
 */
export const rowsQuery = <A>(context: ConsulContext, name: string, query: RowsQuery<A>): PrepareQuery => (options) => {
  if (name === "") throw new HttpError(400, query.missing)
  return (principal) => {
    const filter = createFilter(options.filter, query.schema)
    return () => {
      const visible = readable(context, principal, query.rows(name))
      return {
        index: query.index(name),
        body: filter === undefined ? visible.rows : visible.rows.filter(filter),
        filteredByAcls: visible.filtered
      }
    }
  }
}

export const serveQuery = async (
  call: RouteCall,
  context: ConsulContext,
  prepare: PrepareQuery,
  /** Work the HTTP layer does on the RPC's answer, after any blocking (`?passing`). */
  finish: (body: unknown) => unknown = (body) => body,
  /** Whether the agent would use its streaming backend for this endpoint (only `/v1/health/service`). */
  streamable = false
): Promise<void> => {
  const options = parseQueryOptions(call.query, call.request.headers, context.datacenter)
  const withPrincipal = prepare(options)
  if (options.datacenter !== context.datacenter) throw new HttpError(500, "No path to datacenter")
  const query = withPrincipal(context.acl.resolve(options.token))
  const normalised = () => {
    const result = query()
    return { ...result, index: Math.max(1, result.index) }
  }
  const result = await context.blocked.run(options.minIndex, effectiveWaitMs(options.waitMs), normalised, call.response)
  if (result === undefined) return
  const streaming = streamable && context.streamingBackend && options.minIndex > 0
  const headers = queryMetaHeaders(result.index, options.consistency, result.filteredByAcls, streaming)
  let body: unknown
  try {
    body = finish(result.body)
  } catch (error) {
    if (error instanceof HttpError) return call.reply.text(error.status, error.message, headers)
    throw error
  }
  call.reply.json(body, headers)
}
