import { afterEach, describe, expect, it } from "@effect/vitest"
import type { ServiceInstance, ServiceSink } from "../ServiceSink.ts"
import { type NomadSimulator, type SimAllocation, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
afterEach(() => sim.close())

/** A Consul stand-in that remembers what the client told it. */
const recordingSink = () => {
  const instances = new Map<string, ServiceInstance & { passing: boolean }>()
  const calls: Array<string> = []
  const sink: ServiceSink = {
    register: (instance) => {
      calls.push(`register ${instance.id}`)
      instances.set(instance.id, { ...instance, passing: false })
    },
    deregister: (id) => {
      calls.push(`deregister ${id}`)
      instances.delete(id)
    },
    setHealth: (id, passing) => {
      calls.push(`health ${id} ${passing}`)
      const instance = instances.get(id)
      if (instance !== undefined) instances.set(id, { ...instance, passing })
    }
  }
  return { sink, instances, calls }
}

describe("native service discovery", () => {
  it("registers a running allocation's nomad services where the driver says it listens, and removes them when it stops", async () => {
    const started: Array<SimAllocation> = []
    sim = await startNomadSimulator({
      driver: {
        start: (alloc) => {
          started.push(alloc)
          return Promise.resolve({ address: "10.0.0.5", port: 31000 + started.length })
        },
        stop: () => Promise.resolve()
      }
    })
    await deploy(sim, functionJob("fn", { count: 2 }))
    const read = await call(sim, "GET", "/v1/service/fn")
    expect(read.json).toHaveLength(2)
    const alloc = sim.state.allocations()[0]!
    const own = read.json.find((r: { AllocID: string }) => r.AllocID === alloc.ID)
    expect(own).toMatchObject({
      ID: `_nomad-task-${alloc.ID}-group-fn-fn-http`,
      ServiceName: "fn",
      Namespace: "default",
      Datacenter: "dc1",
      JobID: "fn",
      Tags: ["openfaas-fn"],
      Address: "10.0.0.5"
    })
    expect([31001, 31002]).toContain(own.Port)
    expect(started[0]!.env).toMatchObject({
      NOMAD_JOB_ID: "fn",
      NOMAD_GROUP_NAME: "fn",
      NOMAD_TASK_NAME: "fn",
      NOMAD_NAMESPACE: "default",
      fprocess: "cat"
    })
    expect(started[0]!.env.NOMAD_PORT_http).toBe(String(started[0]!.ports.http))
    expect((started[0]!.task as { Driver: string }).Driver).toBe("docker")

    expect((await call(sim, "GET", "/v1/job/fn/services")).json).toHaveLength(2)
    await call(sim, "DELETE", "/v1/job/fn")
    await sim.settled()
    expect((await call(sim, "GET", "/v1/service/fn")).text).toBe("[]")
    expect((await call(sim, "GET", "/v1/job/fn/services")).text).toBe("[]")
  })

  it("names task-level services after their task", async () => {
    sim = await startNomadSimulator()
    const job = functionJob("fn")
    const group = job.TaskGroups[0]!
    ;(group.Tasks[0] as Record<string, unknown>).Services = group.Services
    ;(group as Record<string, unknown>).Services = []
    await deploy(sim, job)
    const alloc = sim.state.allocations()[0]!
    expect((await call(sim, "GET", "/v1/service/fn")).json[0].ID).toBe(`_nomad-task-${alloc.ID}-fn-fn-http`)
  })

  it("lists services per namespace with their tags, and answers an unknown name with []", async () => {
    sim = await startNomadSimulator()
    sim.state.createNamespace("team")
    await deploy(sim, functionJob("a"))
    await deploy(sim, functionJob("b", { namespace: "team" }))
    expect((await call(sim, "GET", "/v1/services")).json).toEqual([{
      Namespace: "default",
      Services: [{ ServiceName: "a", Tags: ["openfaas-fn"] }]
    }])
    const all = await call(sim, "GET", "/v1/services?namespace=*")
    expect(all.json.map((n: { Namespace: string }) => n.Namespace)).toEqual(["default", "team"])
    expect((await call(sim, "GET", "/v1/service/nothing")).text).toBe("[]")
    expect((await call(sim, "GET", "/v1/service/b")).text).toBe("[]")
    expect((await call(sim, "GET", "/v1/service/b?namespace=team")).json).toHaveLength(1)
    const missing = await call(sim, "GET", "/v1/service/")
    expect({ status: missing.status, text: missing.text }).toEqual({ status: 400, text: "missing service name" })
  })

  it("reports native check results, critical once the allocation is unhealthy", async () => {
    sim = await startNomadSimulator()
    await deploy(sim, functionJob("fn"))
    const allocId = sim.state.allocations()[0]!.ID
    const checks = Object.values((await call(sim, "GET", `/v1/allocation/${allocId}/checks`)).json) as Array<
      Record<string, unknown>
    >
    expect(checks).toHaveLength(1)
    expect(checks[0]).toMatchObject({
      Mode: "healthiness",
      Status: "success",
      StatusCode: 200,
      Group: "fn.fn[0]",
      Service: "fn",
      Check: "http"
    })
    sim.state.setAllocationHealth(allocId, false)
    const failing = Object.values((await call(sim, "GET", `/v1/allocation/${allocId}/checks`)).json) as Array<
      Record<string, unknown>
    >
    expect(failing[0]).toMatchObject({ Status: "failure" })
    expect((await call(sim, "GET", `/v1/allocation/${allocId}`)).json.DeploymentStatus.Healthy).toBe(false)
    const unknown = await call(sim, "GET", "/v1/allocation/nope/checks")
    expect({ status: unknown.status, text: unknown.text }).toEqual({ status: 404, text: `Unknown allocation "nope"` })
  })
})

describe("consul services", () => {
  it("go to the ServiceSink, follow the allocation's health, and are deregistered when it stops", async () => {
    const { sink, instances, calls } = recordingSink()
    sim = await startNomadSimulator({ consul: sink })
    await deploy(sim, functionJob("fn", { provider: "consul", meta: {} }))
    const allocId = sim.state.allocations()[0]!.ID
    const id = `_nomad-task-${allocId}-group-fn-fn-http`
    expect(instances.get(id)).toMatchObject({
      id,
      name: "fn",
      namespace: "default",
      address: "127.0.0.1",
      tags: ["openfaas-fn"],
      allocId,
      jobId: "fn",
      checks: [{ name: "http", type: "http", path: "/_/health" }],
      passing: true
    })
    expect((await call(sim, "GET", "/v1/service/fn")).text).toBe("[]")
    sim.state.setAllocationHealth(allocId, false)
    expect(instances.get(id)?.passing).toBe(false)
    await call(sim, "DELETE", "/v1/job/fn?purge=true")
    await sim.settled()
    expect(instances.size).toBe(0)
    expect(calls).toEqual([`register ${id}`, `health ${id} true`, `health ${id} false`, `deregister ${id}`])
  })
})
