/**
 * Nomad's blocking queries: `?index=` and `?wait=` hold a GET until its
 * result index passes `index` or the wait ends, then answer with the same
 * data and index. Also the query-option parsing every such GET shares, with
 * its 400s.
 */
import { parseGoDuration } from "../GoParsers.ts"
import { HttpError, type RequestContext, sendJson, sendText } from "./http.ts"
import type { Store } from "./store.ts"

/** `MaxBlockingRPCQueryTime` and `DefaultBlockingRPCQueryTime` in the server: 300s. */
export const maxWaitMs = 300_000

export interface QueryOptions {
  readonly minIndex: number
  readonly waitMs: number
}

/** What `s.parse` reads and rejects before any RPC: wait, index, stale, per_page. */
export const parseQueryOptions = (ctx: RequestContext): QueryOptions => {
  const wait = ctx.query.get("wait")
  let waitMs = 0
  if (wait !== null && wait !== "") {
    const parsed = parseGoDuration(wait)
    if (parsed === undefined) throw new HttpError(400, "Invalid wait time")
    waitMs = parsed
  }
  const index = ctx.query.get("index")
  let minIndex = 0
  if (index !== null && index !== "") {
    if (!/^\d+$/.test(index) || !Number.isSafeInteger(Number(index))) throw new HttpError(400, "Invalid index")
    minIndex = Number(index)
  }
  const stale = ctx.query.get("stale")
  if (stale !== null && stale !== "" && stale !== "true" && stale !== "false") {
    throw new HttpError(400, "Expect `true` or `false` for `stale` query string parameter")
  }
  const perPage = ctx.query.get("per_page")
  if (perPage !== null && perPage !== "" && !/^\d+$/.test(perPage)) {
    throw new HttpError(400, "Expect a number for `per_page` query string parameter")
  }
  return { minIndex, waitMs }
}

/** A query's outcome: its index, and either the body or the error Nomad answers with after `setMeta`. */
export type QueryResult =
  | { readonly index: number; readonly body: unknown }
  | { readonly index: number; readonly error: HttpError }

export const queryMeta = (index: number): Record<string, string> => ({
  "x-nomad-index": String(Math.max(1, index)),
  "x-nomad-knownleader": "true",
  "x-nomad-lastcontact": "0"
})

/** Runs `query` until its index passes `?index=` or `?wait=` elapses, then answers with its last result. */
export const blockingQuery = async (
  ctx: RequestContext,
  store: Store,
  query: () => QueryResult
): Promise<void> => {
  const options = parseQueryOptions(ctx)
  let result = query()
  if (options.minIndex > 0) {
    const wait = options.waitMs <= 0 || options.waitMs > maxWaitMs ? maxWaitMs : options.waitMs
    const deadline = Date.now() + wait
    while (result.index <= options.minIndex) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) break
      const wake = await store.waitForChange(remaining, ctx.signal)
      if (wake === "closed") return
      result = query()
      if (wake === "timeout") break
    }
  }
  const headers = queryMeta(result.index)
  if ("error" in result) sendText(ctx.res, result.error.status, result.error.message, headers)
  else sendJson(ctx, 200, result.body, headers)
}
