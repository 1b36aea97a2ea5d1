/**
 * The catalog of the simulated agent's one node: its services and checks,
 * and the Raft-style indexes that blocking queries compare against. Index
 * bookkeeping follows Consul's state store: a per-service index that any
 * change to the service or its checks (or a node-level check) raises, the
 * `services` and `checks` table indexes, and the "extinction" index kept when
 * the last instance of a service goes, which is what an unknown service reports.
 */

export type CheckStatus = "passing" | "warning" | "critical"

export interface CatalogCheck {
  readonly checkId: string
  readonly name: string
  readonly status: CheckStatus
  readonly notes: string
  readonly output: string
  readonly type: string
  readonly interval: string
  readonly timeout: string
  /** Empty for the node's `serfHealth`. */
  readonly serviceId: string
  readonly createIndex: number
  readonly modifyIndex: number
}

export interface ServiceAddress {
  readonly Address: string
  readonly Port: number
}

export interface CatalogService {
  readonly id: string
  readonly name: string
  readonly tags: ReadonlyArray<string>
  /** May be empty: clients then dial the node's address. */
  readonly address: string
  readonly port: number
  readonly meta: Readonly<Record<string, string>> | null
  readonly taggedAddresses: Readonly<Record<string, ServiceAddress>>
  readonly weights: { readonly Passing: number; readonly Warning: number }
  readonly enableTagOverride: boolean
  readonly createIndex: number
  readonly modifyIndex: number
}

export interface CatalogNode {
  readonly id: string
  readonly name: string
  readonly address: string
  readonly datacenter: string
  readonly createIndex: number
  readonly modifyIndex: number
}

/** What a registration supplies; indexes are the catalog's business. */
export type ServiceInput = Omit<CatalogService, "createIndex" | "modifyIndex">
export type CheckInput = Omit<CatalogCheck, "createIndex" | "modifyIndex" | "serviceId">

interface Entry {
  service: CatalogService
  checks: Array<CatalogCheck>
}

/** Called after every write; `restored` when indexes were reset, which ends every blocked query. */
export type ChangeListener = (restored: boolean) => void

const sameContent = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const withoutIndexes = <A extends { createIndex: number; modifyIndex: number }>(
  { createIndex: _c, modifyIndex: _m, ...rest }: A
) => rest

export class ConsulCatalog {
  private raft: number
  private tables = { nodes: 0, services: 0, checks: 0 }
  private readonly serviceIndexes = new Map<string, number>()
  private extinction: number | undefined
  private readonly entries = new Map<string, Entry>()
  private readonly listeners = new Set<ChangeListener>()
  private nodeEntry: CatalogNode
  private serfHealth: CatalogCheck

  constructor(node: Omit<CatalogNode, "createIndex" | "modifyIndex">, bootstrap: ReadonlyArray<ServiceInput>) {
    // A fresh server has written its Raft configuration, itself and its
    // `consul` service by the time anyone asks.
    this.raft = 9
    const index = this.commit()
    for (const service of bootstrap) {
      this.entries.set(service.id, { service: { ...service, createIndex: index, modifyIndex: index }, checks: [] })
      this.serviceIndexes.set(service.name.toLowerCase(), index)
    }
    this.tables = { nodes: index, services: index, checks: index }
    this.nodeEntry = { ...node, createIndex: index, modifyIndex: index }
    this.serfHealth = {
      checkId: "serfHealth",
      name: "Serf Health Status",
      status: "passing",
      notes: "",
      output: "Agent alive and reachable",
      type: "",
      interval: "",
      timeout: "",
      serviceId: "",
      createIndex: index,
      modifyIndex: index
    }
  }

  get index(): number {
    return this.raft
  }

  get node(): CatalogNode {
    return this.nodeEntry
  }

  onChange(listener: ChangeListener): void {
    this.listeners.add(listener)
  }

  /** Registers or replaces a service with its checks; a registration identical to the stored one writes nothing, as in Consul. */
  register(input: ServiceInput, checks: ReadonlyArray<CheckInput>): void {
    const existing = this.entries.get(input.id)
    if (
      existing !== undefined && sameContent(withoutIndexes(existing.service), input) &&
      sameContent(existing.checks.map((c) => withoutIndexes(c)), checks.map((c) => ({ ...c, serviceId: input.id })))
    ) return
    const index = this.commit()
    if (existing !== undefined && existing.service.name.toLowerCase() !== input.name.toLowerCase()) {
      this.remove(input.id, index)
    }
    const previous = this.entries.get(input.id)
    const previousChecks = new Map(previous?.checks.map((c) => [c.checkId, c]))
    this.entries.set(input.id, {
      service: { ...input, createIndex: previous?.service.createIndex ?? index, modifyIndex: index },
      checks: checks.map((check) => ({
        ...check,
        serviceId: input.id,
        createIndex: previousChecks.get(check.checkId)?.createIndex ?? index,
        modifyIndex: index
      }))
    })
    this.tables.services = index
    if (checks.length > 0 || previousChecks.size > 0) this.tables.checks = index
    this.serviceIndexes.set(input.name.toLowerCase(), index)
    this.changed(false)
  }

  /** False when no service has this ID. */
  deregister(id: string): boolean {
    if (!this.entries.has(id)) return false
    this.remove(id, this.commit())
    this.changed(false)
    return true
  }

  /** Sets every check of the service; false when the service is unknown. */
  setServiceChecks(id: string, update: (check: CatalogCheck) => CatalogCheck | undefined): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    const next = entry.checks.map((c) => update(c) ?? c)
    if (sameContent(next, entry.checks)) return true
    const index = this.commit()
    entry.checks = next.map((c, i) => (c === entry.checks[i] ? c : { ...c, modifyIndex: index }))
    this.tables.checks = index
    this.serviceIndexes.set(entry.service.name.toLowerCase(), index)
    this.changed(false)
    return true
  }

  /** Adds or removes a check of a service, as maintenance mode does. */
  replaceCheck(id: string, checkId: string, check: CheckInput | undefined): void {
    const entry = this.entries.get(id)
    if (entry === undefined) return
    const present = entry.checks.some((c) => c.checkId === checkId)
    if (check === undefined && !present) return
    if (check !== undefined && present) return
    const index = this.commit()
    entry.checks = check === undefined
      ? entry.checks.filter((c) => c.checkId !== checkId)
      : [...entry.checks, { ...check, serviceId: id, createIndex: index, modifyIndex: index }]
    this.tables.checks = index
    this.serviceIndexes.set(entry.service.name.toLowerCase(), index)
    this.changed(false)
  }

  /** The node's `serfHealth` check; a node-level check touches every service on the node. */
  setNodeHealth(passing: boolean): void {
    const status: CheckStatus = passing ? "passing" : "critical"
    if (this.serfHealth.status === status) return
    const index = this.commit()
    this.serfHealth = {
      ...this.serfHealth,
      status,
      output: passing ? "Agent alive and reachable" : "Agent not live or unreachable",
      modifyIndex: index
    }
    this.tables.checks = index
    for (const name of this.serviceIndexes.keys()) this.serviceIndexes.set(name, index)
    this.changed(false)
  }

  /** Every index above `to` becomes `to`, as after restoring an older snapshot; blocked queries return at once. */
  resetIndex(to: number): void {
    const clamp = (i: number) => Math.min(i, to)
    this.raft = to
    this.tables = {
      nodes: clamp(this.tables.nodes),
      services: clamp(this.tables.services),
      checks: clamp(this.tables.checks)
    }
    for (const [name, i] of this.serviceIndexes) this.serviceIndexes.set(name, clamp(i))
    if (this.extinction !== undefined) this.extinction = clamp(this.extinction)
    this.changed(true)
  }

  services(): ReadonlyArray<CatalogService> {
    return [...this.entries.values()].map((e) => e.service).sort((a, b) => compareIds(a.id, b.id))
  }

  /** Instances of a service, by name (case-insensitively, as Consul's index is). */
  servicesNamed(name: string): ReadonlyArray<CatalogService> {
    return this.services().filter((s) => s.name.toLowerCase() === name.toLowerCase())
  }

  service(id: string): CatalogService | undefined {
    return this.entries.get(id)?.service
  }

  nodeChecks(): ReadonlyArray<CatalogCheck> {
    return [this.serfHealth]
  }

  checksOf(serviceId: string): ReadonlyArray<CatalogCheck> {
    return [...(this.entries.get(serviceId)?.checks ?? [])].sort((a, b) => compareIds(a.checkId, b.checkId))
  }

  allChecks(): ReadonlyArray<CatalogCheck> {
    return [...this.nodeChecks(), ...this.services().flatMap((s) => this.checksOf(s.id))]
  }

  /** The index a query about one service reports: Consul's `maxIndexForService`. */
  serviceIndex(name: string, withChecks: boolean): number {
    const own = this.serviceIndexes.get(name.toLowerCase())
    if (own !== undefined) return own
    if (this.extinction !== undefined) return this.extinction
    return Math.max(this.tables.nodes, this.tables.services, withChecks ? this.tables.checks : 0)
  }

  get servicesIndex(): number {
    return this.tables.services
  }

  get checksIndex(): number {
    return this.tables.checks
  }

  private commit(): number {
    this.raft += 1
    return this.raft
  }

  private remove(id: string, index: number): void {
    const entry = this.entries.get(id)
    if (entry === undefined) return
    this.entries.delete(id)
    this.tables.services = index
    if (entry.checks.length > 0) this.tables.checks = index
    const name = entry.service.name.toLowerCase()
    if (this.servicesNamed(name).length === 0) {
      this.serviceIndexes.delete(name)
      this.extinction = index
    } else {
      this.serviceIndexes.set(name, index)
    }
  }

  private changed(restored: boolean): void {
    for (const listener of this.listeners) listener(restored)
  }
}

/** memdb's ID indexes are case-insensitive. */
export const compareIds = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}
