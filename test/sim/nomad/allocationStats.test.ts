import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { manualClock, type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
const root = { "x-nomad-token": "root" }
const clock = manualClock()
beforeEach(async () => {
  sim = await startNomadSimulator({
    now: clock.now,
    acl: { managementToken: "root", tokens: { team: { namespaces: ["team"], write: false } } }
  })
  await call(sim, "PUT", "/v1/jobs", { body: { Job: functionJob("fn", { count: 2 }) }, headers: root })
  await sim.settled()
})
afterEach(() => sim.close())
const stats = (id: string, query = "", headers: Record<string, string> = root) =>
  call(sim, "GET", `/v1/client/allocation/${id}/stats${query}`, { headers })
const allocIds = () =>
  sim.state.allocations()
    .filter((a) => a.JobID === "fn")
    .map((a) => a.ID)
    .sort()

describe("allocation stats", () => {
  it("reports what the test set for each task, summed over running tasks, in the client's shape", async () => {
    const [busy, idle] = allocIds()
    sim.state.setAllocationStats(busy!, { cpuPercent: 150, memoryRssBytes: 64 * 1024 * 1024 })
    const answer = await stats(busy!)
    expect(answer.status).toBe(200)
    expect(Object.keys(answer.json)).toEqual(["ResourceUsage", "Tasks", "Timestamp"])
    expect(Object.keys(answer.json.ResourceUsage)).toEqual(["MemoryStats", "CpuStats", "DeviceStats"])
    expect(answer.json.ResourceUsage.CpuStats).toEqual({
      SystemMode: 0,
      UserMode: 150,
      TotalTicks: 1500,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: 150,
      Measured: ["Throttled Periods", "Throttled Time", "Percent"]
    })
    expect(answer.json.ResourceUsage.MemoryStats).toMatchObject({
      RSS: 64 * 1024 * 1024,
      Usage: 64 * 1024 * 1024,
      Measured: ["RSS", "Cache", "Swap", "Usage"]
    })
    expect(answer.json.ResourceUsage.DeviceStats).toEqual([])
    const sampledAt = clock.now() * 1_000_000
    expect(answer.json.Timestamp).toBe(sampledAt)
    expect(answer.json.Tasks).toEqual({
      fn: {
        ResourceUsage: { ...answer.json.ResourceUsage, DeviceStats: null },
        Timestamp: sampledAt,
        Pids: null
      }
    })
    expect((await stats(idle!)).json.ResourceUsage.CpuStats.Percent).toBe(0)
    clock.advance(1000)
    expect((await stats(busy!)).json.Timestamp).toBe(sampledAt + 1_000_000_000)
  })

  it("narrows to one task with ?task=; an unknown one reports nothing", async () => {
    const [id] = allocIds()
    sim.state.setAllocationStats(id!, { cpuPercent: 20 }, "fn")
    expect(Object.keys((await stats(id!, "?task=fn")).json.Tasks)).toEqual(["fn"])
    const none = (await stats(id!, "?task=other")).json
    expect(none).toEqual({
      ResourceUsage: {
        MemoryStats: {
          RSS: 0,
          Cache: 0,
          Swap: 0,
          MappedFile: 0,
          Usage: 0,
          MaxUsage: 0,
          KernelUsage: 0,
          KernelMaxUsage: 0,
          Measured: null
        },
        CpuStats: {
          SystemMode: 0,
          UserMode: 0,
          TotalTicks: 0,
          ThrottledPeriods: 0,
          ThrottledTime: 0,
          Percent: 0,
          Measured: null
        },
        DeviceStats: []
      },
      Tasks: {},
      Timestamp: 0
    })
    expect(() => sim.state.setAllocationStats(id!, { cpuPercent: 1 }, "other")).toThrow("has no task other")
  })

  it("reports zeros for a terminal allocation, which still lists its task's last sample", async () => {
    const [id] = allocIds()
    sim.state.setAllocationStats(id!, { cpuPercent: 80 })
    sim.state.failAllocation(id!, "OOM killed")
    await sim.settled()
    const answer = (await stats(id!)).json
    expect(answer.ResourceUsage.CpuStats.Percent).toBe(0)
    expect(answer.Timestamp).toBe(0)
    expect(answer.Tasks.fn.ResourceUsage.CpuStats.Percent).toBe(80)
  })

  it("answers an unknown allocation, a foreign namespace and odd paths as Nomad does", async () => {
    const missing = await stats("5fc98185-17ff-26bc-a802-0c74fa471c99")
    expect({ status: missing.status, text: missing.text }).toEqual({
      status: 404,
      text: `Unknown allocation "5fc98185-17ff-26bc-a802-0c74fa471c99"`
    })
    const [id] = allocIds()
    expect((await stats(id!, "", { "x-nomad-token": "team" })).status).toBe(403)
    const odd = await call(sim, "GET", `/v1/client/allocation/${id}/stats/more`, { headers: root })
    expect({ status: odd.status, text: odd.text }).toEqual({ status: 404, text: "resource not found" })
    expect((await call(sim, "GET", `/v1/client/allocation/${id}/nope`, { headers: root })).text).toBe(
      "resource not found"
    )
  })
})
