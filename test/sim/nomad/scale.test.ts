import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
  await deploy(sim, functionJob("fn", { count: 1 }))
})
afterEach(() => sim.close())

const scale = (body: unknown, path = "/v1/job/fn/scale") => call(sim, "POST", path, { body })

describe("scaling", () => {
  it("sets the count, bumps JobModifyIndex and Version, evaluates and records an event", async () => {
    const before = (await call(sim, "GET", "/v1/job/fn")).json
    const answer = await scale({ Count: 3, Target: { Group: "fn" }, Message: "more", Meta: { reason: "load" } })
    expect(answer.status).toBe(200)
    expect(answer.json.EvalID).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.headers.get("x-nomad-index")).toBe(String(answer.json.Index))
    const after = (await call(sim, "GET", "/v1/job/fn")).json
    expect(after.JobModifyIndex).toBe(answer.json.JobModifyIndex)
    expect(after.JobModifyIndex).toBeGreaterThan(before.JobModifyIndex)
    expect(after.Version).toBe(before.Version + 1)
    await sim.settled()
    const status = (await call(sim, "GET", "/v1/job/fn/scale")).json
    expect(status.TaskGroups.fn).toMatchObject({ Desired: 3, Placed: 3, Running: 3, Healthy: 3, Unhealthy: 0 })
    expect(status.TaskGroups.fn.Events[0]).toMatchObject({
      Count: 3,
      PreviousCount: 1,
      Message: "more",
      Error: false,
      Meta: { reason: "load" },
      EvalID: answer.json.EvalID
    })
  })

  it("records an event without a count, changing nothing else", async () => {
    const before = (await call(sim, "GET", "/v1/job/fn")).json
    const answer = await scale({ Target: { Group: "fn" }, Message: "considered", Error: true })
    expect(answer.json).toMatchObject({ EvalID: "", EvalCreateIndex: 0, JobModifyIndex: before.ModifyIndex })
    const after = (await call(sim, "GET", "/v1/job/fn")).json
    expect(after.Version).toBe(before.Version)
    expect((await call(sim, "GET", "/v1/job/fn/scale")).json.TaskGroups.fn.Events[0]).toMatchObject({
      Count: null,
      Error: true
    })
  })

  it("answers the documented 400s", async () => {
    const expect400 = async (body: unknown, text: string) => {
      const answer = await scale(body)
      expect({ status: answer.status, text: answer.text }).toEqual({ status: 400, text })
    }
    await expect400({ Count: 1, Target: {} }, "missing task group name for scaling action")
    await expect400({ Count: -1, Target: { Group: "fn" } }, "scaling action count can't be negative")
    await expect400(
      { Count: 1, Error: true, Target: { Group: "fn" } },
      "scaling action should not contain count if error is true"
    )
    await expect400(
      { Count: 1, Target: { Group: "fn", Namespace: "other" } },
      "namespace in payload did not match header"
    )
    await expect400({ Count: 1, Target: { Group: "fn", Job: "other" } }, "job ID in payload did not match URL")
    await expect400(
      { Count: 1, Target: { Group: "nope" } },
      `task group "nope" specified for scaling does not exist in job`
    )
    await expect400(
      { Count: 1, Error: "yes", Target: { Group: "fn" } },
      "json: cannot unmarshal string into Go struct field ScalingRequest.Error of type bool"
    )
    const empty = await call(sim, "POST", "/v1/job/fn/scale")
    expect({ status: empty.status, text: empty.text }).toEqual({ status: 400, text: "Request body is empty" })
  })

  it("refuses a missing job with 404 and its own wording", async () => {
    const answer = await scale({ Count: 1, Target: { Group: "fn" } }, "/v1/job/ghost/scale")
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 404, text: `job "ghost" not found` })
  })

  it("holds counts inside the group's scaling policy", async () => {
    const job = functionJob("bounded", { count: 2 })
    ;(job.TaskGroups[0] as Record<string, unknown>).Scaling = { Min: 1, Max: 3, Enabled: true }
    await deploy(sim, job)
    const low = await scale({ Count: 0, Target: { Group: "bounded" } }, "/v1/job/bounded/scale")
    expect({ status: low.status, text: low.text }).toEqual({
      status: 400,
      text: "group count was less than scaling policy minimum: 0 < 1"
    })
    const high = await scale({ Count: 5, Target: { Group: "bounded" } }, "/v1/job/bounded/scale")
    expect({ status: high.status, text: high.text }).toEqual({
      status: 400,
      text: "group count was greater than scaling policy maximum: 5 > 3"
    })
  })

  it("is blocked during a deployment, and enforces the job modify index with a 500", async () => {
    sim.state.blockScaling("fn", true)
    const blocked = await scale({ Count: 2, Target: { Group: "fn" } })
    expect({ status: blocked.status, text: blocked.text }).toEqual({
      status: 400,
      text: "job scaling blocked due to active deployment"
    })
    sim.state.blockScaling("fn", false)
    const current = (await call(sim, "GET", "/v1/job/fn")).json.JobModifyIndex
    const stale = await scale({ Count: 2, Target: { Group: "fn" }, JobModifyIndex: current + 1 })
    expect({ status: stale.status, text: stale.text }).toEqual({
      status: 500,
      text: `Enforcing job modify index ${current + 1}: job exists with conflicting job modify index: ${current}`
    })
    expect((await scale({ Count: 2, Target: { Group: "fn" }, JobModifyIndex: current })).status).toBe(200)
  })

  it("keeps system jobs between 0 and 1", async () => {
    const system = { ...functionJob("sys"), Type: "system" }
    await deploy(sim, system)
    const answer = await scale({ Count: 2, Target: { Group: "sys" } }, "/v1/job/sys/scale")
    expect({ status: answer.status, text: answer.text }).toEqual({
      status: 400,
      text: `jobs of type "system" can only be scaled between 0 and 1`
    })
  })

  it("scales to zero: allocations stop and the job is dead", async () => {
    await scale({ Count: 0, Target: { Group: "fn" } })
    await sim.settled()
    const job = (await call(sim, "GET", "/v1/job/fn")).json
    expect(job.Status).toBe("dead")
    expect((await call(sim, "GET", "/v1/job/fn/summary")).json.Summary.fn).toMatchObject({ Running: 0, Complete: 1 })
  })
})
