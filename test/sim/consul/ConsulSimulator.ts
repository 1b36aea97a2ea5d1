/**
 * An HTTP simulator of a Consul agent (a single-node server, as `consul agent
 * -dev` runs) for testing the provider's live Consul discovery client: the
 * health and catalog reads with blocking queries, `?passing`, `?filter`,
 * ACLs, and the agent's errors, headers and JSON. Services arrive through the
 * `ServiceSink` (from the Nomad simulator) or the agent registration API.
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { type SimServer, startSimServer } from "../SimServer.ts"
import { agentRoutes } from "./AgentRoutes.ts"
import { BlockedQueries } from "./BlockedQueries.ts"
import { catalogRoutes } from "./CatalogRoutes.ts"
import { ConsulAcl } from "./ConsulAcl.ts"
import { ConsulCatalog } from "./ConsulCatalog.ts"
import { consulRouter } from "./ConsulRouter.ts"
import { consulVersion } from "./ConsulShapes.ts"
import { healthRoutes } from "./HealthRoutes.ts"
import type { ConsulContext } from "./ServeQuery.ts"
import { type ConsulSimState, makeSimulatorState } from "./SimulatorState.ts"

export type { ConsulSimState, RegisteredInstance, SettableStatus } from "./SimulatorState.ts"

export interface ConsulSimulatorOptions {
  /** Turns ACLs on with default policy deny; these tokens may read and register services. */
  readonly acl?: { readonly tokens: ReadonlyArray<string> }
  /** Default "dc1". */
  readonly datacenter?: string
  /** Default "sim-node". */
  readonly nodeName?: string
  /** The node's address, which clients dial when a service has none. Default "127.0.0.1". */
  readonly nodeAddress?: string
  /**
   * Consul's `use_streaming_backend`, on by default: `/v1/health/service` with
   * `?index` then answers with `X-Consul-Query-Backend: streaming` and
   * `X-Consul-KnownLeader: false`, and without `X-Consul-Results-Filtered-By-ACLs`.
   */
  readonly streamingBackend?: boolean
}

export interface ConsulSimulator {
  readonly url: string
  readonly server: SimServer
  readonly state: ConsulSimState
  /** Blocking queries held right now. */
  blockedQueries(): number
  /** Resolves once at least `count` blocking queries are held (so a test can change state only after its client waits). */
  untilBlocked(count?: number): Promise<void>
  close(): Promise<void>
}

/** Node IDs are UUIDs; derive one from the name so runs are reproducible. */
const nodeIdOf = (name: string) => {
  const hex = createHash("sha1").update(`node:${name}`).digest("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

export const startConsulSimulator = async (options: ConsulSimulatorOptions = {}): Promise<ConsulSimulator> => {
  const datacenter = options.datacenter ?? "dc1"
  const nodeName = options.nodeName ?? "sim-node"
  const nodeAddress = options.nodeAddress ?? "127.0.0.1"
  // A server agent registers itself as the `consul` service, so it is in every listing.
  const catalog = new ConsulCatalog({ id: nodeIdOf(nodeName), name: nodeName, address: nodeAddress, datacenter }, [{
    id: "consul",
    name: "consul",
    tags: [],
    address: "",
    port: 8300,
    meta: {
      raft_version: "3",
      serf_protocol_current: "2",
      serf_protocol_max: "5",
      serf_protocol_min: "1",
      version: consulVersion
    },
    taggedAddresses: {},
    weights: { Passing: 1, Warning: 1 },
    enableTagOverride: false
  }])
  const blocked = new BlockedQueries()
  catalog.onChange((restored) => blocked.notify(restored))
  const acl = new ConsulAcl(options.acl?.tokens)
  const context: ConsulContext = {
    catalog,
    acl,
    blocked,
    datacenter,
    streamingBackend: options.streamingBackend ?? true
  }
  const route = consulRouter(
    [...healthRoutes(context), ...catalogRoutes(context), ...agentRoutes(context)],
    () => ({ "X-Consul-Default-ACL-Policy": acl.defaultPolicy })
  )
  const server = await startSimServer((request, response, logged) => {
    route(request, response, logged).catch((error: unknown) => {
      if (response.headersSent) return response.destroy()
      response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" })
      response.end(String(error))
    })
  })
  return {
    get url() {
      return server.url
    },
    server,
    state: makeSimulatorState(catalog),
    blockedQueries: () => blocked.count,
    untilBlocked: (count) => blocked.untilBlocked(count),
    close: async () => {
      blocked.close()
      await server.close()
    }
  }
}

/** The simulator for the life of the enclosing scope. */
export const ConsulSimulator = {
  scoped: (options: ConsulSimulatorOptions = {}) =>
    Effect.acquireRelease(
      Effect.promise(() => startConsulSimulator(options)),
      (simulator) => Effect.promise(() => simulator.close())
    )
}
