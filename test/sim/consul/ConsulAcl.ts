/**
 * The agent's ACL check, reduced to what a discovery client meets: with ACLs
 * on and default policy deny, the configured tokens may do everything, the
 * anonymous token (no token) may do nothing, and an unknown token is
 * rejected. Reads of lists are filtered rather than refused, as Consul does.
 */
import { createHash } from "node:crypto"
import { HttpError } from "./ConsulHttp.ts"

export interface Principal {
  readonly accessorId: string
  readonly privileged: boolean
}

/** The anonymous token's accessor ID, which Consul's error messages name. */
export const anonymousAccessorId = "00000000-0000-0000-0000-000000000002"

const accessorOf = (secret: string) => {
  const hex = createHash("sha1").update(`accessor:${secret}`).digest("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

export class ConsulAcl {
  readonly enabled: boolean
  private readonly tokens: ReadonlySet<string>

  constructor(tokens: ReadonlyArray<string> | undefined) {
    this.enabled = tokens !== undefined
    this.tokens = new Set(tokens?.filter((t) => t !== ""))
  }

  /** Sent on every response; Consul reports "allow" when ACLs are off. */
  get defaultPolicy(): "allow" | "deny" {
    return this.enabled ? "deny" : "allow"
  }

  /** The token's principal; an unknown token is `403 ACL not found`. With ACLs off every token is ignored. */
  resolve(secret: string): Principal {
    if (!this.enabled) return { accessorId: anonymousAccessorId, privileged: true }
    if (secret === "" || secret === "anonymous") return { accessorId: anonymousAccessorId, privileged: false }
    if (!this.tokens.has(secret)) throw new HttpError(403, "ACL not found")
    return { accessorId: accessorOf(secret), privileged: true }
  }

  /** Whether the principal may read the catalog (node:read and service:read). */
  canRead(principal: Principal): boolean {
    return principal.privileged
  }

  /** Refuses with Consul's wording, e.g. `lacks permission 'service:write' on "web"`. */
  require(principal: Principal, permission: string, resource: string): void {
    if (principal.privileged) return
    throw new HttpError(
      403,
      `Permission denied: token with AccessorID '${principal.accessorId}' lacks permission '${permission}' on ${
        JSON.stringify(resource)
      }`
    )
  }
}
