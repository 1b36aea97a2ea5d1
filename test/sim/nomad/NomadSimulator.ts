/**
 * An HTTP simulator of Nomad's API for testing the provider's live client:
 * jobs with check-and-set, allocations placed and run by a small reconciler,
 * native services, variables with their locks (TTL, lock delay, lock IDs),
 * allocation resource usage, logs, namespaces, ACLs and blocking queries,
 * with the status codes and error texts the real server uses. Tests drive
 * what a cluster would do on its own (health, failures, logs, usage) through
 * `state`, what the network does through `server`, and lock expiry through
 * the clock they pass as `now`.
 */
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import type { ServiceSink } from "../ServiceSink.ts"
import { type SimServer, startSimServer } from "../SimServer.ts"
import { type AclOptions, resolvePrincipal } from "./acl.ts"
import { allocStub, groupOf, mainTask, type Placement } from "./allocations.ts"
import type { AllocationUsage } from "./allocationStats.ts"
import { type TaskDriver, virtualDriver } from "./driver.ts"
import type { JsonObject } from "./http.ts"
import { LogStore } from "./logs.ts"
import type { ServiceRegistration, SimJob, StringMap, VariableRecord } from "./model.ts"
import { upsertNamespace } from "./namespacesRoutes.ts"
import { Reconciler } from "./reconciler.ts"
import { nomadHandler } from "./router.ts"
import type { Sim } from "./sim.ts"
import { Store } from "./store.ts"
import { expireLocks, LockTimers } from "./variableLocks.ts"

export type { AclOptions } from "./acl.ts"
export type { AllocationUsage } from "./allocationStats.ts"
export type { SimAllocation, TaskDriver } from "./driver.ts"

export interface NomadSimulatorOptions {
  /** ACLs are on when set. */
  readonly acl?: AclOptions
  /** Default `global`. */
  readonly region?: string
  /** Default `dc1`. */
  readonly datacenter?: string
  /** Default: a virtual driver (`127.0.0.1`, fake ports from 20000 up, no listener). */
  readonly driver?: TaskDriver
  /** Receives `provider = "consul"` (the default provider) service registrations. */
  readonly consul?: ServiceSink
  /** What `/v1/agent/self` reports; default `1.11.2`. */
  readonly version?: string
  /** Whether `MemoryMaxMB` is honoured; when off (Nomad's default) registering it answers with a warning. */
  readonly memoryOversubscription?: boolean
  /** The interval of `{}` heartbeats in followed logs; real Nomad sends one per second. */
  readonly logHeartbeatMs?: number
  /**
   * The clock, in milliseconds since the epoch (default `Date.now`), of variable times, lock TTLs and lock
   * delays, and stats timestamps: a test that moves it sees a lock expire on its next request, without sleeping.
   */
  readonly now?: () => number
  /**
   * The shortest lock TTL accepted, in milliseconds. Real Nomad refuses a TTL under 10 s (the default here);
   * a shorter one lets end-to-end tests of several provider processes see a leader's lock expire quickly.
   */
  readonly minLockTtlMs?: number
}

/** A clock a test moves by hand, for `now`. */
export const manualClock = (start = Date.UTC(2026, 0, 1)) => {
  let current = start
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms
    }
  }
}

/** An allocation as `GET /v1/allocations` lists it. */
export type AllocationStub = JsonObject & {
  readonly ID: string
  readonly JobID: string
  readonly Namespace: string
  readonly TaskGroup: string
  readonly DesiredStatus: string
  readonly ClientStatus: string
}

export interface NomadSimulatorState {
  createNamespace(name: string, meta?: Record<string, string>): void
  /** Turns the allocation's checks critical or passing, and its deployment health with them. */
  setAllocationHealth(allocId: string, healthy: boolean): void
  /** Its main task dies: the allocation is `failed`, with a `Terminated` task event carrying `message`. */
  failAllocation(allocId: string, message: string): void
  appendLog(allocId: string, task: string, type: "stdout" | "stderr", text: string): void
  /** What the task (by default the group's main task) uses from now on, as `/v1/client/allocation/:id/stats` reports it. */
  setAllocationStats(allocId: string, usage: AllocationUsage, task?: string): void
  /** Makes scaling the job answer `job scaling blocked due to active deployment`, as during a deployment. */
  blockScaling(jobId: string, blocked: boolean): void
  /** Jobs as `GET /v1/job/:id` returns them. */
  jobs(): ReadonlyArray<SimJob>
  /** Allocations as `GET /v1/allocations?namespace=*` lists them, terminal ones included. */
  allocations(): ReadonlyArray<AllocationStub>
  services(): ReadonlyArray<ServiceRegistration>
  /** Variables as stored, locks included (expired ones released first, as the server's timers would). */
  variables(): ReadonlyArray<VariableRecord>
  /** The latest Raft index. */
  readonly index: number
}

export interface NomadSimulator {
  readonly url: string
  /** Faults, requests, `count()`, `down()`, `up()`. */
  readonly server: SimServer
  readonly state: NomadSimulatorState
  /** Resolves once every placement, task start and stop under way has finished. */
  settled(): Promise<void>
  close(): Promise<void>
}

export const startNomadSimulator = async (options: NomadSimulatorOptions = {}): Promise<NomadSimulator> => {
  const store = new Store()
  const logs = new LogStore()
  const region = options.region ?? "global"
  const placement: Placement = {
    nodeId: randomUUID(),
    nodeName: "nomad-sim",
    datacenter: options.datacenter ?? "dc1",
    region
  }
  const services = { store, sink: options.consul, placement }
  const reconciler = new Reconciler(store, options.driver ?? virtualDriver(), services)
  reconciler.onTerminal = (allocId) => logs.end(allocId)
  const sim: Sim = {
    store,
    reconciler,
    logs,
    services,
    placement,
    acl: options.acl,
    agent: {
      region,
      datacenter: placement.datacenter,
      version: options.version ?? "1.11.2",
      memoryOversubscription: options.memoryOversubscription ?? false,
      logHeartbeatMs: options.logHeartbeatMs ?? 1000
    },
    principal: (ctx) => resolvePrincipal(options.acl, ctx),
    now: options.now ?? Date.now,
    minLockTtlMs: options.minLockTtlMs ?? 10_000,
    locks: new LockTimers(),
    usage: new Map()
  }
  const server = await startSimServer(nomadHandler(sim))
  // Lock timers fire on requests; this sweep also wakes blocking queries on a variable whose lock ran out.
  const sweeper = setInterval(() => expireLocks(sim), 250)
  sweeper.unref()

  const allocation = (allocId: string) => {
    const alloc = store.allocs.get(allocId)
    if (alloc === undefined) throw new Error(`no allocation ${allocId}`)
    return alloc
  }

  const state: NomadSimulatorState = {
    createNamespace: (name, meta) => {
      upsertNamespace(store, name, "", meta === undefined ? null : ({ ...meta } as StringMap))
    },
    setAllocationHealth: (allocId, healthy) => reconciler.setHealth(allocation(allocId), healthy),
    failAllocation: (allocId, message) => reconciler.failed(allocation(allocId), "Terminated", message),
    appendLog: (allocId, task, type, text) => {
      const alloc = allocation(allocId)
      if (!(groupOf(alloc.job, alloc.group)?.Tasks ?? []).some((t) => t.Name === task)) {
        throw new Error(`allocation ${allocId} has no task ${task}`)
      }
      logs.append(allocId, task, type, text)
    },
    setAllocationStats: (allocId, usage, task) => {
      const alloc = allocation(allocId)
      const group = groupOf(alloc.job, alloc.group)
      const name = task ?? (group === undefined ? undefined : mainTask(group)?.Name)
      if (name === undefined || !(group?.Tasks ?? []).some((t) => t.Name === name)) {
        throw new Error(`allocation ${allocId} has no task ${name ?? ""}`)
      }
      const tasks = sim.usage.get(allocId) ?? new Map<string, AllocationUsage>()
      sim.usage.set(allocId, tasks.set(name, usage))
    },
    blockScaling: (jobId, blocked) => {
      if (blocked) store.scalingBlocked.add(jobId)
      else store.scalingBlocked.delete(jobId)
    },
    jobs: () => [...store.jobs.values()],
    allocations: () => [...store.allocs.values()].map((a) => allocStub(a, placement) as AllocationStub),
    services: () => [...store.services.values()],
    variables: () => {
      expireLocks(sim)
      return [...store.variables.values()]
    },
    get index() {
      return store.index
    }
  }

  return {
    get url() {
      return server.url
    },
    server,
    state,
    settled: () => reconciler.settled(),
    close: async () => {
      clearInterval(sweeper)
      await server.close()
      store.close()
      logs.end()
      await reconciler.shutdown()
    }
  }
}

/** The simulator for the life of a scope. */
export const NomadSimulator = {
  scoped: (options?: NomadSimulatorOptions) =>
    Effect.acquireRelease(Effect.promise(() => startNomadSimulator(options)), (s) => Effect.promise(() => s.close()))
}
