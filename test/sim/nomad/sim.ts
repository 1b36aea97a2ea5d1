/** What every route handler reaches: the state, the reconciler, the log store, ACLs and the agent's settings. */
import type { AclOptions, Principal } from "./acl.ts"
import type { Placement } from "./allocations.ts"
import type { AllocationUsage } from "./allocationStats.ts"
import type { RequestContext } from "./http.ts"
import type { LogStore } from "./logs.ts"
import type { Reconciler } from "./reconciler.ts"
import type { ServiceContext } from "./services.ts"
import type { Store } from "./store.ts"
import type { LockTimers } from "./variableLocks.ts"

export interface AgentSettings {
  readonly region: string
  readonly datacenter: string
  readonly version: string
  readonly memoryOversubscription: boolean
  readonly logHeartbeatMs: number
}

export interface Sim {
  readonly store: Store
  readonly reconciler: Reconciler
  readonly logs: LogStore
  readonly services: ServiceContext
  readonly placement: Placement
  readonly acl: AclOptions | undefined
  readonly agent: AgentSettings
  /** The caller; 403 `ACL token not found` for an unknown token. */
  readonly principal: (ctx: RequestContext) => Principal
  /** Milliseconds since the epoch: the clock of variable times, lock TTLs and delays, and stats timestamps. */
  readonly now: () => number
  /** The shortest lock TTL accepted; Nomad's is 10 s. */
  readonly minLockTtlMs: number
  /** Nomad's lock TTL timers and the lock delays that follow them, on `now`. */
  readonly locks: LockTimers
  /** What tests set each allocation's tasks to use, by allocation ID then task. */
  readonly usage: Map<string, Map<string, AllocationUsage>>
}

export type Handler = (ctx: RequestContext, sim: Sim) => Promise<void> | void
