/**
 * The simulator's state store: one Raft-like index that every write moves,
 * the last index of each table (what blocking queries report), and a change
 * signal that wakes blocked queries. Writes are synchronous, so each one is
 * atomic as a Raft apply is.
 */
import { createHash } from "node:crypto"
import type {
  AllocRecord,
  DeploymentRecord,
  EvalRecord,
  NamespaceRecord,
  ScalingEvent,
  ServiceRegistration,
  SimJob,
  SinkRegistration,
  StringMap,
  VariableRecord
} from "./model.ts"

export type Table =
  | "jobs"
  | "job_summary"
  | "allocs"
  | "evals"
  | "namespaces"
  | "service_registrations"
  | "variables"
  | "scaling_event"
  | "deployment"

export type Wake = "changed" | "timeout" | "closed"

export const jobKey = (namespace: string, id: string) => `${namespace}\u0000${id}`

export interface SummaryIndexes {
  readonly CreateIndex: number
  ModifyIndex: number
}

export class Store {
  index = 1
  private readonly tables = new Map<Table, number>()
  private readonly waiters = new Set<(wake: Wake) => void>()
  private closed = false

  readonly namespaces = new Map<string, NamespaceRecord>()
  readonly jobs = new Map<string, SimJob>()
  readonly summaries = new Map<string, SummaryIndexes>()
  readonly allocs = new Map<string, AllocRecord>()
  readonly evals = new Map<string, EvalRecord>()
  readonly scalingEvents = new Map<string, Record<string, Array<ScalingEvent>>>()
  readonly services = new Map<string, ServiceRegistration>()
  readonly sinkRegistrations = new Map<string, SinkRegistration>()
  readonly variables = new Map<string, VariableRecord>()
  readonly deployments = new Map<string, DeploymentRecord>()
  /** Jobs whose scaling `blockScaling` refuses, as an active deployment would. */
  readonly scalingBlocked = new Set<string>()

  constructor() {
    this.namespaces.set("default", namespaceRecord("default", "Default shared namespace", null, 1, 1))
    this.tables.set("namespaces", 1)
  }

  /** Takes the next index for a write to `tables` and wakes blocked queries. */
  write(...tables: ReadonlyArray<Table>): number {
    this.index += 1
    for (const table of tables) this.tables.set(table, this.index)
    for (const wake of this.waiters) wake("changed")
    this.waiters.clear()
    return this.index
  }

  tableIndex(...tables: ReadonlyArray<Table>): number {
    return Math.max(1, ...tables.map((t) => this.tables.get(t) ?? 0))
  }

  /** Resolves on the next write, after `ms`, or when the caller goes away or the simulator closes. */
  waitForChange(ms: number, signal: AbortSignal): Promise<Wake> {
    if (this.closed || signal.aborted) return Promise.resolve("closed")
    return new Promise((resolve) => {
      const done = (wake: Wake) => {
        clearTimeout(timer)
        signal.removeEventListener("abort", onAbort)
        this.waiters.delete(done)
        resolve(wake)
      }
      const onAbort = () => done("closed")
      const timer = setTimeout(() => done("timeout"), ms)
      signal.addEventListener("abort", onAbort)
      this.waiters.add(done)
    })
  }

  close(): void {
    this.closed = true
    for (const wake of [...this.waiters]) wake("closed")
  }

  job(namespace: string, id: string): SimJob | undefined {
    return this.jobs.get(jobKey(namespace, id))
  }

  /** The allocations of the job's current instance (a purged and re-registered job starts afresh), or of every instance with `all`. */
  jobAllocs(namespace: string, id: string, all = false): Array<AllocRecord> {
    const job = this.job(namespace, id)
    return [...this.allocs.values()].filter((a) =>
      a.namespace === namespace && a.jobId === id && (all || job === undefined || a.jobCreateIndex === job.CreateIndex)
    )
  }
}

export const namespaceRecord = (
  name: string,
  description: string,
  meta: StringMap | null,
  createIndex: number,
  modifyIndex: number
): NamespaceRecord => ({
  Name: name,
  Description: description,
  Quota: "",
  Capabilities: null,
  NodePoolConfiguration: null,
  VaultConfiguration: null,
  ConsulConfiguration: null,
  Meta: meta,
  // Nomad hashes with blake2b-256; any stable digest serves a client that only compares it.
  Hash: createHash("sha256").update(JSON.stringify([name, description, meta])).digest("base64"),
  CreateIndex: createIndex,
  ModifyIndex: modifyIndex
})

/** Unix nanoseconds, as Nomad's `CreateTime`/`SubmitTime`. */
export const nowNanos = (): number => Date.now() * 1_000_000

/** RFC 3339 with nanoseconds, as Go's `time.Time` encodes. */
export const rfc3339 = (date = new Date()): string => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z")
