/**
 * The simulator against the official documentation's samples: for each
 * response it serves, an equivalent request answers with at least the
 * sample's keys (and the sample's keys inside every nested object it emits);
 * the sample request bodies are accepted.
 */
import { afterEach, beforeEach, expect, it } from "@effect/vitest"
import { contractJson, describeContracts } from "../../support/contracts.ts"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

const fixture = (name: string): unknown => contractJson(`nomad/${name}.json`)

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

/** Objects keyed by data (group, task, datacenter names): their entries are compared with each other. */
const keyedByData = new Set([
  "TaskStates",
  "Summary",
  "TaskResources",
  "TaskGroups@scale",
  "TaskGroups@deployment",
  "Tasks@resources"
])
/** Free-form maps whose keys are the user's, not Nomad's fields. */
const freeForm = new Set([
  "Meta",
  "Env",
  "Config",
  "GetterOptions",
  "Scores",
  "NodesAvailable",
  "Details",
  "Options",
  "ChrootEnv",
  "HTTPAPIResponseHeaders",
  "Tags",
  "stats"
])
/**
 * Keys of the doc samples that neither the server nor the api structs have:
 * the allocation sample's job shows `Spreads` on a task, where Nomad has
 * spreads only on jobs and groups.
 */
const obsolete = new Set<string>(["Tasks[].Spreads"])

/** Keys of `sample` missing from `actual`, recursively; null or absent nested values in `actual` are not compared. */
const missingKeys = (sample: unknown, actual: unknown, path = "", context = ""): Array<string> => {
  if (Array.isArray(sample) && Array.isArray(actual)) {
    return sample.length > 0 && actual.length > 0 ? missingKeys(sample[0], actual[0], `${path}[]`, context) : []
  }
  if (!isObject(sample) || !isObject(actual)) return []
  const name = path.split(".").at(-1) ?? ""
  if (keyedByData.has(name) || keyedByData.has(`${name}@${context}`)) {
    const [first] = Object.values(sample)
    const [mine] = Object.values(actual)
    return missingKeys(first, mine, `${path}.*`, context)
  }
  const missing: Array<string> = []
  for (const key of Object.keys(sample)) {
    const where = path === "" ? key : `${path}.${key}`
    if (obsolete.has(where.replace(/^.*?(Tasks\[\]\.)/, "$1")) || obsolete.has(where)) continue
    if (!(key in actual)) missing.push(where)
    else if (!freeForm.has(key)) missing.push(...missingKeys(sample[key], actual[key], where, context))
  }
  return missing
}

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

/** The fixture's job, without what the server sets, as a register body. */
const registrable = (job: Json): Json => {
  const { Status: _s, StatusDescription: _d, CreateIndex: _c, ModifyIndex: _m, JobModifyIndex: _j, ...rest } = job
  return rest
}

describeContracts("contracts: responses carry the documented keys", () => {
  it("job read", async () => {
    const sample = fixture("job-read.response") as Json
    sim.state.createNamespace("apps")
    expect((await call(sim, "PUT", "/v1/jobs", { body: { Job: registrable(sample) } })).status).toBe(200)
    const read = await call(sim, "GET", "/v1/job/example?namespace=apps")
    expect(missingKeys(sample, read.json)).toEqual([])
  })

  it("jobs list, summary and scale status", async () => {
    await deploy(sim, functionJob("example"))
    const list = (await call(sim, "GET", "/v1/jobs")).json
    for (
      const name of ["jobs-list.response", "jobs-list-filter-unfiltered.response", "jobs-list-filter-dc2.response"]
    ) {
      expect(missingKeys(fixture(name), list)).toEqual([])
    }
    expect(missingKeys(fixture("job-summary.response"), (await call(sim, "GET", "/v1/job/example/summary")).json))
      .toEqual([])
    const scale = (await call(sim, "GET", "/v1/job/example/scale")).json
    expect(missingKeys(fixture("job-scale-status.response"), scale, "", "scale")).toEqual([])
  })

  it("allocations, listed and read", async () => {
    await deploy(sim, functionJob("example"))
    const id = sim.state.allocations()[0]!.ID
    expect(
      missingKeys(fixture("job-allocations.response"), (await call(sim, "GET", "/v1/job/example/allocations")).json)
    ).toEqual([])
    expect(missingKeys(fixture("allocations-list.response"), (await call(sim, "GET", "/v1/allocations")).json)).toEqual(
      []
    )
    const read = (await call(sim, "GET", `/v1/allocation/${id}`)).json
    expect(missingKeys(fixture("allocation-read.response"), read, "", "resources")).toEqual([])
  })

  it("write answers: register, update, scale, delete", async () => {
    const registered = (await call(sim, "PUT", "/v1/jobs", { body: { Job: functionJob("example") } })).json
    expect(missingKeys(fixture("job-register.response"), registered)).toEqual([])
    const updated =
      (await call(sim, "POST", "/v1/job/example", { body: { Job: functionJob("example", { count: 2 }) } })).json
    expect(missingKeys(fixture("job-update.response"), updated)).toEqual([])
    const scaled =
      (await call(sim, "POST", "/v1/job/example/scale", { body: { Count: 3, Target: { Group: "example" } } })).json
    expect(missingKeys(fixture("job-scale.response"), scaled)).toEqual([])
    const deleted = (await call(sim, "DELETE", "/v1/job/example?purge=true")).json
    expect(missingKeys(fixture("job-delete.response"), deleted)).toEqual([])
  })

  it("native services", async () => {
    await deploy(sim, functionJob("example"))
    expect(missingKeys(fixture("services-list.response"), (await call(sim, "GET", "/v1/services")).json)).toEqual([])
    expect(missingKeys(fixture("service-read.response"), (await call(sim, "GET", "/v1/service/example")).json)).toEqual(
      []
    )
    expect(missingKeys(fixture("job-services.response"), (await call(sim, "GET", "/v1/job/example/services")).json))
      .toEqual([])
  })

  it("the latest deployment of a job being updated with a canary", async () => {
    const job = (image: string) => ({
      ...functionJob("example", { image, count: 3 }),
      Update: { MaxParallel: 1, Canary: 2 }
    })
    await deploy(sim, job("a"))
    await deploy(sim, job("b"))
    const latest = (await call(sim, "GET", "/v1/job/example/deployment")).json
    expect(missingKeys(fixture("job-deployment-latest.response"), latest, "", "deployment")).toEqual([])
    expect(latest.TaskGroups.example.PlacedCanaries).toHaveLength(2)
  })

  it("agent and status", async () => {
    expect(missingKeys(fixture("agent-self.response"), (await call(sim, "GET", "/v1/agent/self")).json)).toEqual([])
    expect(missingKeys(fixture("agent-health.response"), (await call(sim, "GET", "/v1/agent/health")).json)).toEqual([])
    expect(typeof (await call(sim, "GET", "/v1/status/leader")).json).toBe(typeof fixture("status-leader.response"))
    expect(Array.isArray((await call(sim, "GET", "/v1/status/peers")).json)).toBe(
      Array.isArray(fixture("status-peers.response"))
    )
  })
})

describeContracts("contracts: documented request bodies are accepted", () => {
  it("the register sample, then the scale sample against it", async () => {
    const registered = await call(sim, "PUT", "/v1/jobs", { body: fixture("job-register.request") })
    expect(registered.status).toBe(200)
    await sim.settled()
    const job = (await call(sim, "GET", "/v1/job/cache")).json
    expect(job).toMatchObject({ ID: "cache", NodePool: "prod", Datacenters: ["dc1"] })
    expect(job.TaskGroups[0].Networks[0].DynamicPorts[0]).toMatchObject({ Label: "db", To: 6379 })
    const scaled = await call(sim, "POST", "/v1/job/cache/scale", { body: fixture("job-scale.request") })
    expect(scaled.status).toBe(200)
    await sim.settled()
    const status = (await call(sim, "GET", "/v1/job/cache/scale")).json
    expect(status.TaskGroups.cache).toMatchObject({ Desired: 5, Running: 5 })
    expect(status.TaskGroups.cache.Events[0]).toMatchObject({
      Message: "metric did not satisfy SLA",
      Meta: { metrics: ["cpu", "memory"] }
    })
  })

  it("the JSON job specification example, nulls and all", async () => {
    const answer = await call(sim, "PUT", "/v1/jobs", { body: fixture("job-json-spec-example.request") })
    expect(answer.status).toBe(200)
    await sim.settled()
    const job = (await call(sim, "GET", "/v1/job/example")).json
    expect(job).toMatchObject({ Region: "global", Namespace: "default", Priority: 50, Status: "running" })
    expect(job.TaskGroups[0].Services[0]).toMatchObject({
      Name: "redis-cache",
      Provider: "nomad",
      Tags: ["global", "cache"]
    })
    expect(job.TaskGroups[0].Tasks[0].Resources).toMatchObject({ CPU: 500, MemoryMB: 256 })
    expect((await call(sim, "GET", "/v1/service/redis-cache")).json).toHaveLength(1)
  })
})
