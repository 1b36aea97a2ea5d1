/**
 * Vault's ACL check (`vault/acl.go`, documented in `docs/concepts/policies.mdx`): the rules of every
 * policy a token carries are merged per path pattern; of the patterns that match a request path the
 * highest-priority one decides; `deny` wins over everything; the `root` policy allows everything.
 */

export type Capability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny"

export interface SimPolicy {
  readonly name: string
  /** Path pattern (`secret/data/openfaas/*`, `secret/+/openfaas/*`) to its capabilities. */
  readonly paths: Readonly<Record<string, ReadonlyArray<Capability>>>
}

/**
 * The part of Vault's built-in `default` policy a token needs to manage itself. A policy named
 * `default` in the options replaces it.
 */
export const defaultPolicy: SimPolicy = {
  name: "default",
  paths: {
    "auth/token/lookup-self": ["read"],
    "auth/token/renew-self": ["update"],
    "auth/token/revoke-self": ["update"],
    "sys/capabilities-self": ["update"]
  }
}

/** Whether a pattern matches a path: `*` only at the end (prefix), `+` for exactly one segment. */
const matches = (pattern: string, path: string): boolean => {
  const glob = pattern.endsWith("*")
  const body = glob ? pattern.slice(0, -1) : pattern
  if (!body.includes("+")) return glob ? path.startsWith(body) : path === body
  const patternSegments = body.split("/")
  const pathSegments = path.split("/")
  if (glob ? pathSegments.length < patternSegments.length : pathSegments.length !== patternSegments.length) return false
  return patternSegments.every((segment, i) => {
    const actual = pathSegments[i]!
    if (segment === "+") return true
    // The last segment of a glob is a prefix of the path's segment there.
    return glob && i === patternSegments.length - 1 ? actual.startsWith(segment) : actual === segment
  })
}

const firstWildcard = (pattern: string): number => {
  const positions = [pattern.indexOf("+"), pattern.indexOf("*")].filter((i) => i >= 0)
  return positions.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...positions)
}

const plusSegments = (pattern: string): number => pattern.split("/").filter((s) => s === "+").length

/**
 * Positive when `a` has the higher priority, per the documented rules: a later first wildcard wins;
 * not ending in `*` wins; fewer `+` segments win; longer wins; lexicographically larger wins.
 */
const comparePriority = (a: string, b: string): number => {
  const wa = firstWildcard(a)
  const wb = firstWildcard(b)
  if (wa !== wb) return wa > wb ? 1 : -1
  const ga = a.endsWith("*")
  const gb = b.endsWith("*")
  if (ga !== gb) return ga ? -1 : 1
  const pa = plusSegments(a)
  const pb = plusSegments(b)
  if (pa !== pb) return pa < pb ? 1 : -1
  if (a.length !== b.length) return a.length > b.length ? 1 : -1
  return a === b ? 0 : a > b ? 1 : -1
}

/** The merged rules of a set of policies, ready to answer capability questions. */
export class Acl {
  private readonly rules = new Map<string, Set<Capability>>()
  private readonly root: boolean

  constructor(policies: ReadonlyArray<SimPolicy>) {
    this.root = policies.some((p) => p.name === "root")
    for (const policy of policies) {
      for (const [pattern, capabilities] of Object.entries(policy.paths)) {
        const merged = this.rules.get(pattern) ?? new Set<Capability>()
        for (const capability of capabilities) merged.add(capability)
        this.rules.set(pattern, merged)
      }
    }
  }

  /** The capabilities of the highest-priority pattern matching `path` (empty when none does). */
  capabilities(path: string): ReadonlySet<Capability> {
    let best: string | undefined
    for (const pattern of this.rules.keys()) {
      if (matches(pattern, path) && (best === undefined || comparePriority(pattern, best) > 0)) best = pattern
    }
    return best === undefined ? new Set() : this.rules.get(best)!
  }

  allows(path: string, capability: Capability): boolean {
    if (this.root) return true
    const granted = this.capabilities(path)
    return !granted.has("deny") && granted.has(capability)
  }
}
