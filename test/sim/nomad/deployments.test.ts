/** Canary deployments: canaries beside the old allocations, scaling blocked, promotion by hand or by itself. */
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

const canaryJob = (image: string, update: Record<string, unknown>, count = 3) => ({
  ...functionJob("fn", { image, count }),
  Update: { MaxParallel: 1, Canary: 1, ...update }
})

const running = async () =>
  ((await call(sim, "GET", "/v1/job/fn/allocations")).json as Array<any>).filter((a) => a.DesiredStatus === "run")
const imageOf = async (alloc: { ID: string }) =>
  (await call(sim, "GET", `/v1/allocation/${alloc.ID}`)).json.Job.TaskGroups[0].Tasks[0].Config.image
const latest = async () => (await call(sim, "GET", "/v1/job/fn/deployment")).json

/** Version 0 on image a, three healthy allocations; then version 1 on image b, which needs a canary. */
const updateWithCanary = async (update: Record<string, unknown> = {}) => {
  await deploy(sim, canaryJob("a", update))
  expect(await latest()).toBeNull()
  await deploy(sim, canaryJob("b", update))
}

describe("canary deployments", () => {
  it("place the canaries beside the old allocations and wait for promotion", async () => {
    await updateWithCanary()
    const deployment = await latest()
    expect(deployment).toMatchObject({
      JobID: "fn",
      JobVersion: 1,
      Status: "running",
      StatusDescription: "Deployment is running but requires manual promotion",
      TaskGroups: { fn: { Promoted: false, DesiredCanaries: 1, DesiredTotal: 3, PlacedAllocs: 1, HealthyAllocs: 1 } }
    })
    const allocs = await running()
    expect(allocs).toHaveLength(4)
    const canaries = allocs.filter((a) => a.DeploymentStatus.Canary === true)
    expect(canaries.map((a) => a.ID)).toEqual(deployment.TaskGroups.fn.PlacedCanaries)
    expect(canaries[0].DeploymentStatus.Healthy).toBe(true)
    expect(await Promise.all(allocs.map(imageOf))).toEqual(
      expect.arrayContaining(["a", "a", "a", "b"])
    )
    expect((await call(sim, "GET", `/v1/deployment/${deployment.ID}`)).json.ID).toBe(deployment.ID)
    expect((await call(sim, "GET", "/v1/job/fn/deployments")).json).toHaveLength(1)
    expect((await call(sim, "GET", "/v1/deployments")).json.map((d: { ID: string }) => d.ID)).toEqual([deployment.ID])
  })

  it("block scaling while they run, as Job.Scale does", async () => {
    await updateWithCanary()
    const scaled = await call(sim, "POST", "/v1/job/fn/scale", { body: { Count: 5, Target: { Group: "fn" } } })
    expect({ status: scaled.status, text: scaled.text }).toEqual({
      status: 400,
      text: "job scaling blocked due to active deployment"
    })
  })

  it("roll out once promoted by hand, and then succeed", async () => {
    await updateWithCanary()
    const { ID } = await latest()
    const mismatch = await call(sim, "POST", `/v1/deployment/promote/${ID}`, { body: { DeploymentID: "x", All: true } })
    expect({ status: mismatch.status, text: mismatch.text }).toEqual({
      status: 400,
      text: "Deployment ID does not match"
    })
    const unknown = await call(sim, "POST", "/v1/deployment/promote/nope", {
      body: { DeploymentID: "nope", All: true }
    })
    expect({ status: unknown.status, text: unknown.text }).toEqual({ status: 500, text: "deployment not found" })
    const promoted = await call(sim, "POST", `/v1/deployment/promote/${ID}`, { body: { DeploymentID: ID, All: true } })
    expect(promoted.status).toBe(200)
    expect(promoted.json.EvalID).not.toBe("")
    await sim.settled()
    const allocs = await running()
    expect(allocs).toHaveLength(3)
    expect(await Promise.all(allocs.map(imageOf))).toEqual(["b", "b", "b"])
    expect(allocs.every((a) => a.DeploymentStatus.Canary === false)).toBe(true)
    expect(await latest()).toMatchObject({
      Status: "successful",
      StatusDescription: "Deployment completed successfully",
      TaskGroups: { fn: { Promoted: true, HealthyAllocs: 3 } }
    })
    const again = await call(sim, "POST", `/v1/deployment/promote/${ID}`, { body: { DeploymentID: ID, All: true } })
    expect({ status: again.status, text: again.text }).toEqual({
      status: 500,
      text: "can't promote terminal deployment"
    })
    expect((await call(sim, "POST", "/v1/job/fn/scale", { body: { Count: 1, Target: { Group: "fn" } } })).status)
      .toBe(200)
  })

  it("refuse promotion while a canary is unhealthy", async () => {
    await updateWithCanary()
    const deployment = await latest()
    sim.state.setAllocationHealth(deployment.TaskGroups.fn.PlacedCanaries[0], false)
    const refused = await call(sim, "POST", `/v1/deployment/promote/${deployment.ID}`, {
      body: { DeploymentID: deployment.ID, All: true }
    })
    expect({ status: refused.status, text: refused.text }).toEqual({
      status: 500,
      text: `1 error occurred:\n\t* Task group "fn" has 0/1 healthy allocations\n\n`
    })
  })

  it("promote themselves once healthy with AutoPromote", async () => {
    await updateWithCanary({ AutoPromote: true })
    await sim.settled()
    const allocs = await running()
    expect(await Promise.all(allocs.map(imageOf))).toEqual(["b", "b", "b"])
    expect(await latest()).toMatchObject({ Status: "successful", TaskGroups: { fn: { Promoted: true } } })
  })

  it("are cancelled by a newer version, whose own canaries replace theirs; a stop cancels them too", async () => {
    await updateWithCanary()
    const first = await latest()
    const firstCanary = first.TaskGroups.fn.PlacedCanaries[0]
    await deploy(sim, canaryJob("b", {}, 2))
    const second = await latest()
    expect(second.ID).not.toBe(first.ID)
    expect((await call(sim, "GET", `/v1/deployment/${first.ID}`)).json).toMatchObject({
      Status: "cancelled",
      StatusDescription: "Cancelled due to newer version of job"
    })
    const allocs = await running()
    expect(allocs.map((a) => a.ID)).not.toContain(firstCanary)
    expect(await Promise.all(allocs.map(imageOf))).toEqual(expect.arrayContaining(["a", "a", "b"]))
    expect(allocs).toHaveLength(3)
    expect((await call(sim, "DELETE", "/v1/job/fn")).status).toBe(200)
    await sim.settled()
    expect((await call(sim, "GET", `/v1/deployment/${second.ID}`)).json.StatusDescription).toBe(
      "Cancelled because job is stopped"
    )
  })

  it("hold every group that needs canaries in the one deployment of the version", async () => {
    const twoGroups = (image: string) => {
      const job = canaryJob(image, {}, 2)
      const group = job.TaskGroups[0]!
      return { ...job, TaskGroups: [group, { ...group, Name: "other", Services: [] }] }
    }
    await deploy(sim, twoGroups("a"))
    await deploy(sim, twoGroups("b"))
    const deployments = (await call(sim, "GET", "/v1/job/fn/deployments")).json
    expect(deployments).toHaveLength(1)
    expect(Object.keys(deployments[0].TaskGroups).sort()).toEqual(["fn", "other"])
    for (const state of Object.values(deployments[0].TaskGroups) as Array<{ PlacedCanaries: Array<string> }>) {
      expect(state.PlacedCanaries).toHaveLength(1)
    }
    expect(await running()).toHaveLength(6)
  })

  it("are not needed for a first version, nor for a change in place", async () => {
    await deploy(sim, canaryJob("a", {}))
    await deploy(sim, { ...canaryJob("a", {}), Meta: { ...canaryJob("a", {}).Meta } })
    expect(await latest()).toBeNull()
    expect((await register(sim, canaryJob("a", {}, 4))).status).toBe(200)
    await sim.settled()
    expect(await running()).toHaveLength(4)
  })
})
