import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
  sim.state.createNamespace("team")
  await deploy(sim, functionJob("fn", { count: 2 }))
  await deploy(sim, functionJob("other", { namespace: "team" }))
})
afterEach(() => sim.close())

describe("allocations", () => {
  it("lists stubs by ID in a namespace, across all with *, and by ID prefix", async () => {
    const list = (await call(sim, "GET", "/v1/allocations")).json
    expect(list.map((a: { JobID: string }) => a.JobID)).toEqual(["fn", "fn"])
    expect(list.map((a: { ID: string }) => a.ID)).toEqual([...list.map((a: { ID: string }) => a.ID)].sort())
    expect(list[0].AllocatedResources).toBeNull()
    expect((await call(sim, "GET", "/v1/allocations?namespace=*")).json).toHaveLength(3)
    const prefix = list[0].ID.slice(0, 4)
    const byPrefix = (await call(sim, "GET", `/v1/allocations?prefix=${prefix}`)).json
    expect(byPrefix.every((a: { ID: string }) => a.ID.startsWith(prefix))).toBe(true)
    const lean = (await call(sim, "GET", "/v1/allocations?task_states=false&resources=true")).json
    expect(lean[0].TaskStates).toBeNull()
    expect(lean[0].AllocatedResources.Shared.Ports[0]).toMatchObject({ Label: "http" })
  })

  it("reads one allocation with the job it runs, or 404 alloc not found", async () => {
    const id = sim.state.allocations()[0]!.ID
    const read = await call(sim, "GET", `/v1/allocation/${id}`)
    expect(read.json).toMatchObject({ ID: id, JobID: "fn", Job: { ID: "fn", Version: 0 }, ClientStatus: "running" })
    expect(read.json.Metrics.NodesAvailable).toEqual({ dc1: 1 })
    const missing = await call(sim, "GET", "/v1/allocation/nope")
    expect({ status: missing.status, text: missing.text }).toEqual({ status: 404, text: "alloc not found" })
    expect((await call(sim, "DELETE", `/v1/allocation/${id}`)).status).toBe(405)
  })

  it("fails an allocation with a task event; its services go and the job's next evaluation replaces it", async () => {
    const [failing] = sim.state.allocations().filter((a) => a.JobID === "fn")
    sim.state.failAllocation(failing!.ID, "OOM killed")
    await sim.settled()
    const read = (await call(sim, "GET", `/v1/allocation/${failing!.ID}`)).json
    expect(read).toMatchObject({ ClientStatus: "failed", DesiredStatus: "run", DeploymentStatus: { Healthy: false } })
    expect(read.TaskStates.fn).toMatchObject({ State: "dead", Failed: true })
    expect(read.TaskStates.fn.Events.at(-1)).toMatchObject({ Type: "Terminated", Message: "OOM killed", ExitCode: 1 })
    expect((await call(sim, "GET", "/v1/job/fn/summary")).json.Summary.fn).toMatchObject({ Running: 1, Failed: 1 })
    expect((await call(sim, "GET", "/v1/service/fn")).json).toHaveLength(1)

    await deploy(sim, functionJob("fn", { count: 2 }))
    const running = (await call(sim, "GET", "/v1/job/fn/allocations")).json.filter((a: { ClientStatus: string }) =>
      a.ClientStatus === "running"
    )
    expect(running).toHaveLength(2)
  })

  it("shows a purged and re-registered job's earlier allocations only with all=true", async () => {
    await call(sim, "DELETE", "/v1/job/fn?purge=true")
    await sim.settled()
    await deploy(sim, functionJob("fn", { count: 1 }))
    expect((await call(sim, "GET", "/v1/job/fn/allocations")).json).toHaveLength(1)
    expect((await call(sim, "GET", "/v1/job/fn/allocations?all=true")).json).toHaveLength(3)
  })
})
