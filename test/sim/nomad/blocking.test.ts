import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { parseGoDuration } from "../GoParsers.ts"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

/** Resolves once the simulator has received `n` requests matching `match`: the blocked query is in. */
const received = async (match: RegExp, n = 1) => {
  while (sim.server.count(match) < n) await new Promise((resolve) => setImmediate(resolve))
}

const indexOf = (answer: { headers: Headers }) => Number(answer.headers.get("x-nomad-index"))

describe("blocking queries", () => {
  it("wake when the result changes and answer with the new index", async () => {
    await deploy(sim, functionJob("a"))
    const first = await call(sim, "GET", "/v1/jobs")
    const blocked = call(sim, "GET", `/v1/jobs?index=${indexOf(first)}&wait=60s`)
    await received(/^GET \/v1\/jobs$/, 2)
    await register(sim, functionJob("b"))
    const woken = await blocked
    expect(woken.status).toBe(200)
    expect(indexOf(woken)).toBeGreaterThan(indexOf(first))
    expect(woken.json.map((j: { ID: string }) => j.ID)).toEqual(["a", "b"])
  })

  it("answer with the same data and index when the wait ends first", async () => {
    await deploy(sim, functionJob("a"))
    const first = await call(sim, "GET", "/v1/job/a")
    const timedOut = await call(sim, "GET", `/v1/job/a?index=${indexOf(first)}&wait=50ms`)
    expect(timedOut.status).toBe(200)
    expect(indexOf(timedOut)).toBe(indexOf(first))
    expect(timedOut.json).toEqual(first.json)
    expect(timedOut.headers.get("x-nomad-knownleader")).toBe("true")
    expect(timedOut.headers.get("x-nomad-lastcontact")).toBe("0")
  })

  it("wake a read of a missing job when it is registered", async () => {
    const missing = await call(sim, "GET", "/v1/job/late")
    expect(missing.status).toBe(404)
    const blocked = call(sim, "GET", `/v1/job/late?index=${indexOf(missing)}&wait=60s`)
    await received(/^GET \/v1\/job\/late$/, 2)
    await register(sim, functionJob("late"))
    const found = await blocked
    expect(found.status).toBe(200)
    expect(found.json.ID).toBe("late")
  })

  it("wake a job's allocations when an allocation's health changes", async () => {
    await deploy(sim, functionJob("a"))
    const allocs = await call(sim, "GET", "/v1/job/a/allocations")
    const blocked = call(sim, "GET", `/v1/job/a/allocations?index=${indexOf(allocs)}&wait=300000ms`)
    await received(/^GET \/v1\/job\/a\/allocations$/, 2)
    sim.state.setAllocationHealth(allocs.json[0].ID, false)
    const woken = await blocked
    expect(woken.json[0].DeploymentStatus.Healthy).toBe(false)
  })

  it("do not block without an index", async () => {
    await deploy(sim, functionJob("a"))
    expect((await call(sim, "GET", "/v1/jobs?wait=60s")).status).toBe(200)
  })

  it("refuse a bad wait, index, stale or per_page with 400", async () => {
    const expect400 = async (query: string, text: string) => {
      const answer = await call(sim, "GET", `/v1/jobs?${query}`)
      expect({ status: answer.status, text: answer.text }).toEqual({ status: 400, text })
    }
    await expect400("index=1&wait=soon", "Invalid wait time")
    await expect400("index=1&wait=10", "Invalid wait time")
    await expect400("index=-1", "Invalid index")
    await expect400("stale=maybe", "Expect `true` or `false` for `stale` query string parameter")
    await expect400("per_page=many", "Expect a number for `per_page` query string parameter")
    expect((await call(sim, "GET", "/v1/jobs?stale")).status).toBe(200)
  })

  it("parse Go durations", () => {
    expect(parseGoDuration("30s")).toBe(30_000)
    expect(parseGoDuration("300000ms")).toBe(300_000)
    expect(parseGoDuration("1m30s")).toBe(90_000)
    expect(parseGoDuration("1.5h")).toBe(5_400_000)
    expect(parseGoDuration("0")).toBe(0)
    expect(parseGoDuration("10")).toBeUndefined()
    expect(parseGoDuration("")).toBeUndefined()
    expect(parseGoDuration("5 s")).toBeUndefined()
  })
})
