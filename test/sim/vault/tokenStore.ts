/**
 * Vault's token store and expiration manager, reduced to what a client of `lookup-self`,
 * `renew-self` and AppRole login sees (`vault/token_store.go`, `vault/expiration.go`,
 * `sdk/framework/lease.go` `CalculateTTL`). Every lease runs on the simulator's clock.
 */
import { randomBytes, randomUUID } from "node:crypto"
import { goDurationString, rfc3339Nano } from "./goWire.ts"
import type { SimClock } from "./SimClock.ts"
import type { HttpAuth } from "./vaultReplies.ts"

export interface SimToken {
  readonly id: string
  readonly policies: ReadonlyArray<string>
  /** The token's TTL; Vault's 768h default when absent, none for a `root` token. */
  readonly ttlSeconds?: number
  /** Vault's default is `true`. */
  readonly renewable?: boolean
  readonly explicitMaxTtlSeconds?: number
  readonly displayName?: string
  readonly meta?: Readonly<Record<string, string>>
  /** An identity entity; `identity_policies` are only reported for a token that has one. */
  readonly entityId?: string
  readonly identityPolicies?: ReadonlyArray<string>
  /** Vault attaches the `default` policy to every non-root token unless told not to. */
  readonly noDefaultPolicy?: boolean
}

export interface SimAppRole {
  readonly roleId: string
  readonly secretId: string
  readonly policies: ReadonlyArray<string>
  readonly ttlSeconds: number
  /** Reported as `metadata.role_name`; `"role"` when absent. */
  readonly roleName?: string
}

export interface TokenEntry {
  readonly id: string
  readonly accessor: string
  readonly policies: ReadonlyArray<string>
  readonly identityPolicies: ReadonlyArray<string>
  readonly path: string
  readonly displayName: string
  readonly meta: Readonly<Record<string, string>> | null
  readonly entityId: string
  readonly renewable: boolean
  readonly creationTime: number
  readonly creationTtl: number
  readonly explicitMaxTtl: number
  readonly issueTime: number
  /** An AppRole token renews to its role's TTL when no `increment` is given (`pathLoginRenew`). */
  readonly roleTtl: number | undefined
  /** The TTL of the last issue or renewal, which a token-store token's renewal without `increment` repeats. */
  ttl: number
  /** Absent for a token without a lease expiry (a root token). */
  expireTime: number | undefined
  lastRenewalTime: number | undefined
  renewals: number
}

/** Vault's `default_lease_ttl` and `max_lease_ttl` out of the box. */
export const systemMaxTtlSeconds = 768 * 3600

const base62 = (length: number): string => {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
  return [...randomBytes(length)].map((byte) => alphabet[byte % 62]).join("")
}

/** `policyutil.SanitizePolicies`: `default` added unless root or refused, duplicates dropped, sorted. */
const sanitizePolicies = (policies: ReadonlyArray<string>, addDefault: boolean): Array<string> => {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== ""))
  if (addDefault && !set.has("root")) set.add("default")
  return [...set].sort()
}

/** `humanDuration` of `sdk/framework/lease.go`: `1h0m0s` reads `1h`, `5m0s` reads `5m`. */
const humanDuration = (seconds: number): string => goDurationString(seconds).replace(/m0s$/, "m").replace(/h0m/, "h")

export type RenewOutcome =
  | { readonly ok: true; readonly warnings: ReadonlyArray<string> }
  | { readonly ok: false; readonly status: number; readonly message: string }

export class TokenStore {
  private readonly clock: SimClock
  private readonly tokens = new Map<string, TokenEntry>()
  private readonly appRoles: Map<string, SimAppRole & { readonly entityId: string }>

  constructor(clock: SimClock, appRoles: ReadonlyArray<SimAppRole>) {
    this.clock = clock
    this.appRoles = new Map(appRoles.map((role) => [role.roleId, { ...role, entityId: randomUUID() }]))
  }

  add(token: SimToken, path = "auth/token/create", roleTtl?: number): TokenEntry {
    const now = this.clock.now()
    const policies = sanitizePolicies(token.policies, token.noDefaultPolicy !== true)
    const isRoot = policies.includes("root")
    const ttl = token.ttlSeconds ?? (isRoot ? 0 : systemMaxTtlSeconds)
    const entry: TokenEntry = {
      id: token.id,
      accessor: base62(24),
      policies,
      identityPolicies: token.entityId === undefined ? [] : [...(token.identityPolicies ?? [])],
      path: isRoot && token.ttlSeconds === undefined ? "auth/token/root" : path,
      displayName: token.displayName ?? (isRoot && token.ttlSeconds === undefined ? "root" : "token"),
      meta: token.meta ?? null,
      entityId: token.entityId ?? "",
      renewable: token.renewable ?? true,
      creationTime: now,
      creationTtl: ttl,
      explicitMaxTtl: token.explicitMaxTtlSeconds ?? 0,
      issueTime: now,
      roleTtl,
      ttl,
      expireTime: ttl === 0 ? undefined : now + ttl * 1000,
      lastRenewalTime: undefined,
      renewals: 0
    }
    this.tokens.set(entry.id, entry)
    return entry
  }

  /** The live token, or nothing when it never existed, was revoked, or its lease ran out. */
  lookup(id: string | undefined): TokenEntry | undefined {
    if (id === undefined) return undefined
    const entry = this.tokens.get(id)
    if (entry?.expireTime !== undefined && entry.expireTime <= this.clock.now()) {
      this.tokens.delete(id)
      return undefined
    }
    return entry
  }

  revoke(id: string): void {
    this.tokens.delete(id)
  }

  renewals(id: string): number {
    return this.tokens.get(id)?.renewals ?? 0
  }

  /** `ExpirationManager.RenewToken` then `CalculateTTL`. */
  renew(entry: TokenEntry, incrementSeconds: number): RenewOutcome {
    if (entry.expireTime === undefined || !entry.renewable) {
      return { ok: false, status: 400, message: "lease is not renewable" }
    }
    const now = this.clock.now()
    let ttl = incrementSeconds > 0 ? incrementSeconds : entry.roleTtl ?? entry.ttl
    const maxTtl = entry.explicitMaxTtl > 0 ? Math.min(entry.explicitMaxTtl, systemMaxTtlSeconds) : systemMaxTtlSeconds
    const maxValid = entry.issueTime + maxTtl * 1000
    const warnings: Array<string> = []
    if (maxValid < now + ttl * 1000) {
      if (maxValid < now) return { ok: false, status: 500, message: "past the max TTL, cannot renew" }
      const left = Math.floor((maxValid - now) / 1000)
      warnings.push(
        `TTL of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${
          humanDuration(left)
        }"; TTL value is capped accordingly`
      )
      ttl = left
    }
    entry.ttl = ttl
    entry.expireTime = now + ttl * 1000
    entry.lastRenewalTime = now
    entry.renewals += 1
    return { ok: true, warnings }
  }

  /** The `data` of `auth/token/lookup-self` (`handleLookup`). */
  lookupData(entry: TokenEntry): Record<string, unknown> {
    const now = this.clock.now()
    const data: Record<string, unknown> = {
      id: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      path: entry.path,
      meta: entry.meta,
      display_name: entry.displayName,
      num_uses: 0,
      orphan: true,
      creation_time: Math.floor(entry.creationTime / 1000),
      creation_ttl: entry.creationTtl,
      expire_time: null,
      ttl: 0,
      explicit_max_ttl: entry.explicitMaxTtl,
      entity_id: entry.entityId,
      type: "service",
      renewable: entry.expireTime !== undefined && entry.renewable,
      issue_time: rfc3339Nano(entry.issueTime)
    }
    if (entry.lastRenewalTime !== undefined) {
      data["last_renewal_time"] = Math.floor(entry.lastRenewalTime / 1000)
      data["last_renewal"] = rfc3339Nano(entry.lastRenewalTime)
    }
    if (entry.expireTime !== undefined) {
      data["expire_time"] = rfc3339Nano(entry.expireTime)
      data["ttl"] = Math.trunc((entry.expireTime - Math.round(now / 1000) * 1000) / 1000)
    }
    if (entry.identityPolicies.length > 0) data["identity_policies"] = entry.identityPolicies
    return data
  }

  /** The `auth` block of a login or renewal (`logical.HTTPAuth`). */
  authBlock(entry: TokenEntry): HttpAuth {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: [...entry.policies, ...entry.identityPolicies.filter((p) => !entry.policies.includes(p))],
      token_policies: entry.policies,
      ...(entry.identityPolicies.length === 0 ? {} : { identity_policies: entry.identityPolicies }),
      metadata: entry.meta,
      lease_duration: entry.ttl,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: "service",
      orphan: true,
      mfa_requirement: null,
      num_uses: 0
    }
  }

  /** `auth/approle/login` (`builtin/credential/approle/path_login.go`): a new token, or the 400 message. */
  approleLogin(roleId: string, secretId: string): { ok: true; entry: TokenEntry } | { ok: false; message: string } {
    if (roleId.trim() === "") return { ok: false, message: "missing role_id" }
    const role = this.appRoles.get(roleId.trim())
    if (role === undefined) return { ok: false, message: "invalid role or secret ID" }
    if (secretId.trim() === "") return { ok: false, message: "missing secret_id" }
    if (secretId.trim() !== role.secretId) return { ok: false, message: "invalid role or secret ID" }
    const ttl = role.ttlSeconds > 0 ? role.ttlSeconds : systemMaxTtlSeconds
    const entry = this.add(
      {
        id: `hvs.${base62(24)}`,
        policies: role.policies,
        ttlSeconds: ttl,
        displayName: "approle",
        meta: { role_name: role.roleName ?? "role" },
        entityId: role.entityId
      },
      "auth/approle/login",
      ttl
    )
    return { ok: true, entry }
  }
}
