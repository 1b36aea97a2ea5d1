/**
 * The simulator's test-facing state: the `ServiceSink` the Nomad simulator
 * registers allocations' services through (as a Nomad client does with its
 * local agent), and the knobs a test turns (check status, node health, an
 * index going backwards).
 */
import { createHash } from "node:crypto"
import type { ServiceInstance, ServiceSink, SimCheck } from "../ServiceSink.ts"
import type { CatalogCheck, CheckInput, CheckStatus, ConsulCatalog } from "./ConsulCatalog.ts"
import { agentTaggedAddresses } from "./ServiceDefinition.ts"

/** `maintenance` puts the service in maintenance mode: one more check, critical. */
export type SettableStatus = CheckStatus | "maintenance"

export interface RegisteredInstance extends ServiceInstance {
  /** The worst of the node's and the instance's checks: what `?passing` decides on. */
  readonly status: CheckStatus
}

export interface ConsulSimState extends ServiceSink {
  /** Sets every check of the instance (or enters maintenance mode); throws for an unknown ID. */
  setCheckStatus(serviceId: string, status: SettableStatus): void
  /** The node's `serfHealth` check, which every instance on the node carries. */
  setNodeHealth(passing: boolean): void
  /** Makes every index at most `to`, as a snapshot restore does; held blocking queries answer at once. */
  resetIndex(to: number): void
  /** The current Raft index. */
  readonly index: number
  /** Every registered instance but the agent's own `consul` service. */
  instances(): ReadonlyArray<RegisteredInstance>
}

/** Nomad's check IDs: `_nomad-check-` and a SHA-1 of the check within its service. */
const nomadCheckId = (serviceId: string, check: SimCheck) =>
  `_nomad-check-${
    createHash("sha1").update(`${serviceId}\0${check.name}\0${check.type}\0${check.path ?? ""}`).digest("hex")
  }`

const maintenanceCheckId = (serviceId: string) => `_service_maintenance:${serviceId}`

const severity: Readonly<Record<CheckStatus, number>> = { passing: 0, warning: 1, critical: 2 }

const worst = (checks: ReadonlyArray<CatalogCheck>): CheckStatus =>
  checks.reduce<CheckStatus>((w, c) => (severity[c.status] > severity[w] ? c.status : w), "passing")

export const makeSimulatorState = (catalog: ConsulCatalog): ConsulSimState => {
  const fromSink = new Map<string, ServiceInstance>()

  const setCheckStatus = (serviceId: string, status: SettableStatus) => {
    const service = catalog.service(serviceId)
    if (service === undefined) {
      throw new Error(`No service instance ${JSON.stringify(serviceId)} in the Consul simulator`)
    }
    if (status === "maintenance") {
      catalog.replaceCheck(serviceId, maintenanceCheckId(serviceId), {
        checkId: maintenanceCheckId(serviceId),
        name: "Service Maintenance Mode",
        status: "critical",
        notes: "",
        output: "",
        type: "maintenance",
        interval: "",
        timeout: ""
      })
      return
    }
    catalog.replaceCheck(serviceId, maintenanceCheckId(serviceId), undefined)
    catalog.setServiceChecks(serviceId, (check) => (check.status === status ? undefined : { ...check, status }))
  }

  return {
    register: (instance) => {
      // Nomad registers with the agent, whose checks we take to have run:
      // they start passing and keep their status across a re-registration.
      const current = new Map(catalog.checksOf(instance.id).map((c) => [c.checkId, c.status]))
      const checks: ReadonlyArray<CheckInput> = instance.checks.map((check) => {
        const checkId = nomadCheckId(instance.id, check)
        return {
          checkId,
          // Nomad's default check name.
          name: check.name || `service: ${JSON.stringify(instance.name)} check`,
          status: current.get(checkId) ?? "passing",
          notes: "",
          output: "",
          type: check.type,
          interval: "10s",
          timeout: "2s"
        }
      })
      // Maintenance mode is the agent's own check: a re-registration keeps it.
      const maintenance = catalog.checksOf(instance.id).filter((c) => c.checkId === maintenanceCheckId(instance.id))
      const kept: ReadonlyArray<CheckInput> = maintenance.map((
        { serviceId: _s, createIndex: _c, modifyIndex: _m, ...check }
      ) => check)
      fromSink.set(instance.id, instance)
      catalog.register({
        id: instance.id,
        name: instance.name,
        tags: [...instance.tags],
        address: instance.address,
        port: instance.port,
        // Nomad marks what it registers so the Consul UI can say so.
        meta: { ...instance.meta, "external-source": "nomad" },
        taggedAddresses: agentTaggedAddresses(instance.address, instance.port),
        weights: { Passing: 1, Warning: 1 },
        enableTagOverride: false
      }, [...checks, ...kept])
    },
    deregister: (id) => {
      fromSink.delete(id)
      catalog.deregister(id)
    },
    setHealth: (id, passing) => {
      if (catalog.service(id) !== undefined) setCheckStatus(id, passing ? "passing" : "critical")
    },
    setCheckStatus,
    setNodeHealth: (passing) => catalog.setNodeHealth(passing),
    resetIndex: (to) => catalog.resetIndex(to),
    get index() {
      return catalog.index
    },
    instances: () =>
      catalog.services().filter((s) => s.id !== "consul").map((service) => {
        const checks = catalog.checksOf(service.id)
        const base: ServiceInstance = fromSink.get(service.id) ?? {
          id: service.id,
          name: service.name,
          namespace: "default",
          address: service.address,
          port: service.port,
          tags: service.tags,
          meta: service.meta ?? {},
          allocId: "",
          jobId: "",
          checks: checks.map((c) => ({ name: c.name, type: c.type }))
        }
        return { ...base, status: worst([...catalog.nodeChecks(), ...checks]) }
      })
  }
}
