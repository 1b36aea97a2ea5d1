/**
 * The headers a proxy must not pass on (RFC 9110 §7.6.1: hop-by-hop, plus
 * whatever `Connection` names), and the X-Forwarded-* headers it adds.
 */
import type { Headers } from "effect/http"

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length"
])

/** Copies `headers` without hop-by-hop ones; the HTTP client sets framing headers itself. */
export const endToEndHeaders = (headers: Headers.Headers): Record<string, string> => {
  const named = headers["connection"]
  const alsoHopByHop = named === undefined ? undefined : new Set(named.toLowerCase().split(/\s*,\s*/))
  const out: Record<string, string> = {}
  for (const name in headers) {
    if (hopByHop.has(name) || alsoHopByHop?.has(name)) continue
    out[name] = headers[name]!
  }
  return out
}

/** Request headers for the function: end-to-end ones, with X-Forwarded-For and -Host set when absent. */
export const upstreamRequestHeaders = (
  headers: Headers.Headers,
  remoteAddress: string | undefined
): Record<string, string> => {
  const out = endToEndHeaders(headers)
  if (out["x-forwarded-for"] === undefined && remoteAddress !== undefined) out["x-forwarded-for"] = remoteAddress
  if (out["x-forwarded-host"] === undefined && headers["host"] !== undefined) out["x-forwarded-host"] = headers["host"]
  return out
}
