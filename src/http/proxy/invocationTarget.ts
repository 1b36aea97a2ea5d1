/**
 * Reads `/function/<name>[.<namespace>][/<path>][?<query>]` without decoding
 * or copying more than needed: the proxy's hot path calls it per request.
 * The path is not decoded, so the function receives it byte for byte.
 */

export const invocationPrefix = "/function/"

/** Where the function's name ends in `url`, or -1 when the URL names no function. */
export const invocationNameEnd = (url: string): number => {
  if (!url.startsWith(invocationPrefix)) return -1
  let end = invocationPrefix.length
  while (end < url.length) {
    const c = url.charCodeAt(end)
    if (c === 47 /* / */ || c === 63 /* ? */) break
    end++
  }
  return end === invocationPrefix.length ? -1 : end
}

/** The name as written: `name` or `name.namespace`. */
export const invocationName = (url: string, end: number): string => url.slice(invocationPrefix.length, end)

/** Path and query for the function: `/` at least, a sub-path's trailing slash kept. */
export const upstreamPath = (url: string, end: number): string =>
  end === url.length ? "/" : url.charCodeAt(end) === 63 ? `/${url.slice(end)}` : url.slice(end)
