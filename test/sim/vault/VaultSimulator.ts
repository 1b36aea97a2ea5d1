/**
 * A loopback HTTP simulator of HashiCorp Vault for testing the provider's Vault client: KV v2
 * mounts, token self-management, AppRole login, policies, sealing, Enterprise namespaces and
 * `sys/health`, answering with the status codes and bodies the real server sends. Time runs on a
 * clock the test moves (`state.advanceTime`), so nothing here sleeps.
 *
 * A request goes through the stages of Vault's core, in its order: HTTP decoding, the seal, the
 * token, the ACL (after the existence check that makes a write `create` or `update`), the router,
 * and the mount's backend.
 */
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { readBody, type SimServer, startSimServer } from "../SimServer.ts"
import { type Backend, toReply, unsupportedPath } from "./backend.ts"
import { kvBackend } from "./kvBackend.ts"
import { KvEngine } from "./kvEngine.ts"
import { buildLogicalRequest, type HttpInput } from "./LogicalRequest.ts"
import { Acl, defaultPolicy, type SimPolicy } from "./policyAcl.ts"
import { SimClock } from "./SimClock.ts"
import { type HaMode, sysHealth } from "./sysHealth.ts"
import { approleBackend, tokenBackend } from "./tokenBackends.ts"
import { type SimAppRole, type SimToken, TokenStore } from "./tokenStore.ts"
import { errorReply, goNotFound, type VaultReply } from "./vaultReplies.ts"

export type { Capability, SimPolicy } from "./policyAcl.ts"
export type { HaMode } from "./sysHealth.ts"
export type { SimAppRole, SimToken } from "./tokenStore.ts"

export interface VaultSimulatorOptions {
  /** KV v2 mounts, in every namespace; `["secret"]` when absent. */
  readonly kvMounts?: ReadonlyArray<string>
  /** A root token `root` when absent. */
  readonly tokens?: ReadonlyArray<SimToken>
  readonly policies?: ReadonlyArray<SimPolicy>
  /**
   * Vault Enterprise namespaces (`ns1`, `ns1/team`). None (the default) is Vault's community
   * edition: everything is in the root namespace and `X-Vault-Namespace` is not looked at.
   */
  readonly namespaces?: ReadonlyArray<string>
  /** When given, an AppRole auth method is mounted at `auth/approle/`. */
  readonly appRoles?: ReadonlyArray<SimAppRole>
  /** Where the simulator's clock starts; now when absent. */
  readonly startTime?: Date
}

export interface VaultSimulatorState {
  /** From now on every endpoint but `sys/health` answers 503 `Vault is sealed`. */
  seal(): void
  unseal(): void
  /** Moves the simulator's clock: token TTLs and version deletion times. */
  advanceTime(seconds: number): void
  addToken(token: SimToken): void
  revokeToken(id: string): void
  /** The data of the latest version when it is live (not deleted, not destroyed). */
  readSecret(mount: string, path: string, namespace?: string): Record<string, unknown> | undefined
  /** Writes a new version, as a client would without check-and-set; returns its number. */
  writeSecret(mount: string, path: string, data: Record<string, unknown>, namespace?: string): number
  /** Successful `renew-self` calls of a token. */
  renewals(tokenId: string): number
  /** The HA role `sys/health` reports; other endpoints answer as if forwarded to the active node. */
  setHaMode(mode: HaMode): void
  now(): Date
}

export interface VaultSimulator {
  readonly url: string
  readonly server: SimServer
  readonly state: VaultSimulatorState
  close(): Promise<void>
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, "")

/** The system backend is mounted, but only `sys/health` (answered before routing) is simulated. */
const systemBackend: Backend = { mountType: "system", exists: () => undefined, handle: () => unsupportedPath() }

/** Go's `URL.Path` is percent-decoded. */
const decodedPath = (path: string): string => {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
const canonicalNamespace = (ns: string) => (trimSlashes(ns) === "" ? "" : `${trimSlashes(ns)}/`)

export const startVaultSimulator = async (options: VaultSimulatorOptions = {}): Promise<VaultSimulator> => {
  const clock = new SimClock(options.startTime ?? new Date())
  const namespaces = (options.namespaces ?? []).map(canonicalNamespace).filter((ns) => ns !== "")
  const kvMounts = (options.kvMounts ?? ["secret"]).map(trimSlashes)
  const tokens = new TokenStore(clock, options.appRoles ?? [])
  for (const token of options.tokens ?? [{ id: "root", policies: ["root"] }]) tokens.add(token)
  const policies = new Map<string, SimPolicy>([[defaultPolicy.name, defaultPolicy]])
  for (const policy of options.policies ?? []) policies.set(policy.name.toLowerCase(), policy)
  let sealed = false
  let haMode: HaMode = "active"
  const clusterId = randomUUID()

  /** Each namespace has its own KV mounts; the token and AppRole mounts share one token store. */
  const engines = new Map<string, KvEngine>()
  const mounts = new Map<string, Backend>()
  for (const ns of ["", ...namespaces]) {
    for (const mount of kvMounts) {
      const engine = new KvEngine(clock)
      engines.set(`${ns}${mount}`, engine)
      mounts.set(`${ns}${mount}/`, kvBackend(engine))
    }
    mounts.set(`${ns}sys/`, systemBackend)
    mounts.set(`${ns}auth/token/`, tokenBackend(tokens))
    if (options.appRoles !== undefined) mounts.set(`${ns}auth/approle/`, approleBackend(tokens))
  }

  /** The router's longest-prefix match, retried with a trailing slash as Vault does. */
  const route = (fullPath: string): { backend: Backend; relative: string } | undefined => {
    for (const candidate of [fullPath, `${fullPath}/`]) {
      const mount = [...mounts.keys()].filter((m) => candidate.startsWith(m)).sort((a, b) => b.length - a.length)[0]
      if (mount !== undefined) return { backend: mounts.get(mount)!, relative: candidate.slice(mount.length) }
    }
    return undefined
  }

  const aclFor = (policyNames: ReadonlyArray<string>) =>
    new Acl(
      policyNames.flatMap((name) => name === "root" ? [{ name: "root", paths: {} }] : policies.get(name) ?? [])
    )

  const dispatch = (input: HttpInput): VaultReply => {
    if (input.path === "sys/health") {
      const enterprise = namespaces.length > 0
      return sysHealth(input.method, input.query, {
        sealed,
        haMode,
        enterprise,
        clusterName: "vault-cluster-sim",
        clusterId
      }, clock)
    }
    const built = buildLogicalRequest(input, namespaces)
    if (!built.ok) return built.reply
    const request = built.request
    if (sealed) return errorReply(503, "Vault is sealed")
    const fullPath = request.namespace + request.path
    const routed = route(fullPath)
    const relative = routed?.relative ?? ""
    const loginPath = routed?.backend.unauthenticated?.includes(relative) === true
    const token = tokens.lookup(request.token)
    const exists = request.operation === "update" ? routed?.backend.exists(relative) : undefined
    const operation = exists === false ? "create" : request.operation
    if (!loginPath) {
      if (token === undefined) return errorReply(403, "permission denied")
      const acl = aclFor([...token.policies, ...token.identityPolicies])
      if (!acl.allows(fullPath, operation)) return errorReply(403, "permission denied")
    }
    if (routed === undefined) return errorReply(404, `no handler for route "${request.path}". route entry not found.`)
    const result = routed.backend.handle({ operation, path: relative, data: request.data, token })
    return toReply(request.id, operation, result, routed.backend.mountType)
  }

  const server = await startSimServer((request, response, logged) => {
    readBody(request).then((body) => {
      const reply = logged.path.startsWith("/v1/")
        ? dispatch({
          method: logged.method,
          path: decodedPath(logged.path.slice(4)),
          query: logged.query,
          headers: logged.headers,
          body
        })
        : goNotFound()
      response.writeHead(reply.status, reply.headers)
      response.end(reply.body)
    }).catch((error: unknown) => {
      if (!response.headersSent) {
        const reply = errorReply(500, String(error))
        response.writeHead(reply.status, reply.headers)
        response.end(reply.body)
      }
    })
  })

  const engine = (mount: string, namespace?: string) => {
    const found = engines.get(`${canonicalNamespace(namespace ?? "")}${trimSlashes(mount)}`)
    if (found === undefined) throw new Error(`no KV v2 mount "${mount}" in namespace "${namespace ?? ""}"`)
    return found
  }

  return {
    get url() {
      return server.url
    },
    server,
    state: {
      seal: () => {
        sealed = true
      },
      unseal: () => {
        sealed = false
      },
      advanceTime: (seconds) => clock.advance(seconds),
      addToken: (token) => {
        tokens.add(token)
      },
      revokeToken: (id) => tokens.revoke(id),
      readSecret: (mount, path, namespace) => engine(mount, namespace).latestLiveData(trimSlashes(path)),
      writeSecret: (mount, path, data, namespace) =>
        engine(mount, namespace).addVersion(trimSlashes(path), data).number,
      renewals: (id) => tokens.renewals(id),
      setHaMode: (mode) => {
        haMode = mode
      },
      now: () => new Date(clock.now())
    },
    close: () => server.close()
  }
}

/** The simulator as a scoped resource: started on acquire, closed on release. */
export const VaultSimulator = {
  scoped: (options?: VaultSimulatorOptions) =>
    Effect.acquireRelease(
      Effect.promise(() => startVaultSimulator(options)),
      (simulator) => Effect.promise(() => simulator.close())
    )
}
