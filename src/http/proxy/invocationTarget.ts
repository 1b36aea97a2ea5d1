/**
 * Reads `/function/<name>[.<namespace>][/<path>][?<query>]` without decoding
 * the path, so what the function receives is byte for byte what was sent.
 */

export interface InvocationTarget {
  /** The name as written, possibly `name.namespace`. */
  readonly qualifiedName: string
  /** Path and query for the function: `/` at least, the sub-path's trailing slash kept. */
  readonly pathAndQuery: string
}

const prefix = "/function/"

/** `undefined` when the URL names no function. */
export const parseInvocationTarget = (url: string): InvocationTarget | undefined => {
  if (!url.startsWith(prefix)) return undefined
  let end = prefix.length
  while (end < url.length && url[end] !== "/" && url[end] !== "?") end++
  const qualifiedName = url.slice(prefix.length, end)
  if (qualifiedName === "") return undefined
  const rest = url.slice(end)
  return { qualifiedName, pathAndQuery: rest === "" ? "/" : rest[0] === "?" ? `/${rest}` : rest }
}
