/**
 * What a Nomad client does with an allocation's services once its tasks
 * run: `provider = "nomad"` ones become native registrations in the server's
 * state; the rest go to the local Consul agent (the `ServiceSink`). Both go
 * away when the allocation stops. Also the native checks' results.
 */
import { createHash } from "node:crypto"
import type { ServiceSink, SimCheck as SinkCheck } from "../ServiceSink.ts"
import { groupOf, type Placement } from "./allocations.ts"
import type { JsonObject } from "./http.ts"
import type { AllocRecord, SimService } from "./model.ts"
import type { Store } from "./store.ts"

export interface ServiceContext {
  readonly store: Store
  readonly sink: ServiceSink | undefined
  readonly placement: Placement
}

interface AllocService {
  readonly service: SimService
  /** `group-<group>` for group-level services, as the client names them. */
  readonly taskName: string
  readonly task: string
}

const servicesOf = (alloc: AllocRecord): Array<AllocService> => {
  const group = groupOf(alloc.job, alloc.group)
  if (group === undefined) return []
  return [
    ...(group.Services ?? []).map((service) => ({ service, taskName: `group-${group.Name}`, task: "" })),
    ...(group.Tasks ?? []).flatMap((t) =>
      (t.Services ?? []).map((service) => ({ service, taskName: t.Name, task: t.Name }))
    )
  ]
}

/** `_nomad-task-<allocID>-<task>-<service>-<portLabel>`, from `client/serviceregistration/id.go`. */
const serviceId = (alloc: AllocRecord, s: AllocService) =>
  `_nomad-task-${alloc.id}-${s.taskName}-${s.service.Name}-${s.service.PortLabel}`

const portOf = (alloc: AllocRecord, label: string): number =>
  alloc.ports[label] ?? (/^\d+$/.test(label) ? Number(label) : 0)

const isNative = (s: AllocService) => s.service.Provider === "nomad"

/** Registers the allocation's services; native ones take one write, as the client's batch upsert does. */
export const registerServices = (ctx: ServiceContext, alloc: AllocRecord): void => {
  const services = servicesOf(alloc)
  const native = services.filter(isNative)
  if (native.length > 0) {
    const index = ctx.store.write("service_registrations")
    for (const s of native) {
      const id = serviceId(alloc, s)
      ctx.store.services.set(id, {
        ID: id,
        ServiceName: s.service.Name,
        Namespace: alloc.namespace,
        NodeID: ctx.placement.nodeId,
        Datacenter: ctx.placement.datacenter,
        JobID: alloc.jobId,
        AllocID: alloc.id,
        Tags: s.service.Tags,
        Address: s.service.Address || alloc.address,
        Port: portOf(alloc, s.service.PortLabel),
        CreateIndex: index,
        ModifyIndex: index
      })
    }
  }
  for (const s of services.filter((x) => !isNative(x))) {
    if (ctx.sink === undefined) continue
    const id = serviceId(alloc, s)
    ctx.sink.register({
      id,
      name: s.service.Name,
      namespace: alloc.namespace,
      address: s.service.Address || alloc.address,
      port: portOf(alloc, s.service.PortLabel),
      tags: s.service.Tags ?? [],
      meta: s.service.Meta ?? {},
      allocId: alloc.id,
      jobId: alloc.jobId,
      checks: (s.service.Checks ?? []).map((
        c
      ): SinkCheck => (c.Path === "" ? { name: c.Name, type: c.Type } : { name: c.Name, type: c.Type, path: c.Path }))
    })
    ctx.sink.setHealth(id, alloc.healthy !== false)
    ctx.store.sinkRegistrations.set(id, { id, allocId: alloc.id })
  }
}

export const deregisterServices = (ctx: ServiceContext, alloc: AllocRecord): void => {
  const native = [...ctx.store.services.values()].filter((r) => r.AllocID === alloc.id)
  if (native.length > 0) {
    for (const r of native) ctx.store.services.delete(r.ID)
    ctx.store.write("service_registrations")
  }
  for (const r of [...ctx.store.sinkRegistrations.values()].filter((x) => x.allocId === alloc.id)) {
    ctx.store.sinkRegistrations.delete(r.id)
    ctx.sink?.deregister(r.id)
  }
}

/** Turns the Consul checks of the allocation's services passing or critical. */
export const setSinkHealth = (ctx: ServiceContext, alloc: AllocRecord, passing: boolean): void => {
  for (const r of ctx.store.sinkRegistrations.values()) if (r.allocId === alloc.id) ctx.sink?.setHealth(r.id, passing)
}

const checkId = (alloc: AllocRecord, s: AllocService, check: SimCheck) =>
  createHash("md5").update(`${alloc.id}${alloc.group}${s.task}${s.service.Name}${check.Name}`).digest("hex")

type SimCheck = NonNullable<SimService["Checks"]>[number]

/** `GET /v1/allocation/:id/checks`: the latest result of each native service check, by check ID. */
export const checkResults = (alloc: AllocRecord): JsonObject => {
  const results: JsonObject = {}
  const status = alloc.clientStatus !== "running" ? "pending" : alloc.healthy === false ? "failure" : "success"
  for (const s of servicesOf(alloc).filter(isNative)) {
    for (const check of s.service.Checks ?? []) {
      const id = checkId(alloc, s, check)
      const http = check.Type === "http"
      results[id] = {
        ID: id,
        Mode: check.OnUpdate === "ignore" ? "readiness" : "healthiness",
        Status: status,
        ...(http && status !== "pending" ? { StatusCode: status === "success" ? 200 : 503 } : {}),
        Output: status === "pending"
          ? ""
          : status === "success"
          ? `nomad: ${http ? "http" : "tcp"} ok`
          : http
          ? "nomad: http: 503 Service Unavailable"
          : `nomad: dial tcp ${alloc.address}:${
            portOf(alloc, check.PortLabel || s.service.PortLabel)
          }: connect: connection refused`,
        Timestamp: Math.floor(alloc.modifyTime / 1e9),
        Group: `${alloc.jobId}.${alloc.group}[${alloc.slot}]`,
        ...(s.task === "" ? {} : { Task: s.task }),
        Service: s.service.Name,
        Check: check.Name
      }
    }
  }
  return results
}
