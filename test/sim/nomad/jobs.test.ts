import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

interface Alloc {
  readonly ID: string
  readonly DesiredStatus: string
  readonly ClientStatus: string
  readonly JobVersion: number
}

const live = (allocs: ReadonlyArray<Alloc>) => allocs.filter((a) => a.DesiredStatus === "run")

describe("jobs", () => {
  it("registers a job and answers as Nomad does: JSON minimised, indexes in body and header", async () => {
    const answer = await register(sim, functionJob("figlet"))
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toBe("application/json")
    expect(answer.text.endsWith("\n")).toBe(false)
    expect(Object.keys(answer.json)).toEqual(
      ["EvalID", "EvalCreateIndex", "JobModifyIndex", "Warnings", "Index", "LastContact", "KnownLeader", "NextToken"]
    )
    expect(answer.json.EvalID).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.json.JobModifyIndex).toBe(answer.json.Index)
    expect(answer.headers.get("x-nomad-index")).toBe(String(answer.json.Index))
  })

  it("reads the job back canonicalised: defaults filled, every field present, running once scheduled", async () => {
    await register(sim, functionJob("figlet"))
    const read = await call(sim, "GET", "/v1/job/figlet")
    expect(read.status).toBe(200)
    expect(read.json).toMatchObject({
      ID: "figlet",
      Name: "figlet",
      Namespace: "default",
      Region: "global",
      Priority: 50,
      Version: 0
    })
    expect(["pending", "running"]).toContain(read.json.Status)
    const group = read.json.TaskGroups[0]
    expect(group.RestartPolicy).toEqual({
      Attempts: 2,
      Interval: 1_800_000_000_000,
      Delay: 15_000_000_000,
      Mode: "fail",
      RenderTemplates: false
    })
    expect(group.EphemeralDisk).toEqual({ Sticky: false, SizeMB: 300, Migrate: false })
    expect(group.Services[0]).toMatchObject({ Provider: "nomad", AddressMode: "auto", OnUpdate: "require_healthy" })
    expect(group.Tasks[0]).toMatchObject({ KillTimeout: 5_000_000_000, LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10 } })
    expect(read.headers.get("x-nomad-knownleader")).toBe("true")
    await sim.settled()
    expect((await call(sim, "GET", "/v1/job/figlet")).json.Status).toBe("running")
  })

  it("matches request keys case-insensitively, as Go's decoder does", async () => {
    const answer = await call(sim, "PUT", "/v1/jobs", {
      body: { job: { id: "lower", taskgroups: [{ name: "g", COUNT: 2, tasks: [{ name: "t", driver: "docker" }] }] } }
    })
    expect(answer.status).toBe(200)
    const read = await call(sim, "GET", "/v1/job/lower")
    expect(read.json.TaskGroups[0].Count).toBe(2)
    expect(read.json.TaskGroups[0].Tasks[0].Driver).toBe("docker")
    expect(read.json).not.toHaveProperty("id")
  })

  it("lists stubs sorted by ID with their summary, by prefix, with Meta only when asked", async () => {
    await deploy(sim, functionJob("b-fn", { count: 2 }))
    await deploy(sim, functionJob("a-fn"))
    const list = await call(sim, "GET", "/v1/jobs")
    expect(list.json.map((j: { ID: string }) => j.ID)).toEqual(["a-fn", "b-fn"])
    expect(list.json[1].JobSummary.Summary["b-fn"]).toMatchObject({ Running: 2, Starting: 0, Queued: 0 })
    expect(list.json[0]).not.toHaveProperty("Meta")
    const withMeta = await call(sim, "GET", "/v1/jobs?prefix=b-&meta=true")
    expect(withMeta.json).toHaveLength(1)
    expect(withMeta.json[0].Meta).toEqual({ "com.openfaas.function": "b-fn" })
    expect((await call(sim, "GET", "/v1/jobs?prefix=zzz")).text).toBe("[]")
  })

  it("keeps namespaces apart: a job in another namespace is not found, `*` lists all", async () => {
    sim.state.createNamespace("team")
    await register(sim, functionJob("fn", { namespace: "team" }))
    const elsewhere = await call(sim, "GET", "/v1/job/fn")
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.text).toBe("job not found")
    expect((await call(sim, "GET", "/v1/job/fn?namespace=team")).status).toBe(200)
    expect((await call(sim, "GET", "/v1/jobs")).json).toEqual([])
    const all = await call(sim, "GET", "/v1/jobs?namespace=*")
    expect(all.json.map((j: { Namespace: string }) => j.Namespace)).toEqual(["team"])
  })

  it("places Count allocations that run and report healthy, with task states", async () => {
    await deploy(sim, functionJob("fn", { count: 3 }))
    const allocs = (await call(sim, "GET", "/v1/job/fn/allocations")).json
    expect(allocs).toHaveLength(3)
    for (const alloc of allocs) {
      expect(alloc).toMatchObject({ DesiredStatus: "run", ClientStatus: "running", JobID: "fn", TaskGroup: "fn" })
      expect(alloc.DeploymentStatus.Healthy).toBe(true)
      expect(alloc.TaskStates.fn.State).toBe("running")
      expect(alloc.TaskStates.fn.Events.map((e: { Type: string }) => e.Type)).toEqual([
        "Received",
        "Task Setup",
        "Started"
      ])
    }
    expect(allocs.map((a: { Name: string }) => a.Name).sort()).toEqual(["fn.fn[0]", "fn.fn[1]", "fn.fn[2]"])
  })

  it("re-registering an unchanged job keeps its version but still evaluates", async () => {
    const first = await deploy(sim, functionJob("fn"))
    const again = await register(sim, functionJob("fn"))
    expect(again.json.JobModifyIndex).toBe(first.json.JobModifyIndex)
    expect(again.json.EvalID).not.toBe("")
    expect(again.json.Index).toBeGreaterThan(first.json.Index)
    expect((await call(sim, "GET", "/v1/job/fn")).json.Version).toBe(0)
  })

  it("keeps the scaled count with PreserveCounts", async () => {
    await deploy(sim, functionJob("fn", { count: 1 }))
    await call(sim, "POST", "/v1/job/fn/scale", { body: { Count: 3, Target: { Group: "fn" } } })
    await register(sim, functionJob("fn", { count: 1, image: "new:2" }), { PreserveCounts: true })
    expect((await call(sim, "GET", "/v1/job/fn")).json.TaskGroups[0].Count).toBe(3)
  })

  it("scales in place on a count change and replaces allocations once a changed group's new ones are healthy", async () => {
    await deploy(sim, functionJob("fn", { count: 2 }))
    const before = live((await call(sim, "GET", "/v1/job/fn/allocations")).json).map((a: { ID: string }) => a.ID)
    await deploy(sim, functionJob("fn", { count: 3 }))
    const scaled = live((await call(sim, "GET", "/v1/job/fn/allocations")).json)
    expect(scaled).toHaveLength(3)
    expect(scaled.map((a: { ID: string }) => a.ID)).toEqual(expect.arrayContaining(before))
    expect(scaled.every((a: { JobVersion: number }) => a.JobVersion === 1)).toBe(true)

    await deploy(sim, functionJob("fn", { count: 3, image: "v2" }))
    const replaced = (await call(sim, "GET", "/v1/job/fn/allocations")).json
    const running = live(replaced)
    expect(running).toHaveLength(3)
    expect(running.some((a: { ID: string }) => before.includes(a.ID))).toBe(false)
    const old = replaced.filter((a: { ID: string }) => before.includes(a.ID))
    expect(
      old.every((a: { DesiredStatus: string; ClientStatus: string }) =>
        a.DesiredStatus === "stop" && a.ClientStatus === "complete"
      )
    ).toBe(true)
  })

  it("keeps old allocations while their replacements are unhealthy", async () => {
    let calls = 0
    await sim.close()
    sim = await startNomadSimulator({
      driver: {
        start: () => (++calls > 1
          ? Promise.reject(new Error("image not found"))
          : Promise.resolve({ address: "127.0.0.1", port: 9 })),
        stop: () => Promise.resolve()
      }
    })
    await deploy(sim, functionJob("fn"))
    await deploy(sim, functionJob("fn", { image: "broken" }))
    const allocs = (await call(sim, "GET", "/v1/job/fn/allocations")).json
    const failed = allocs.find((a: { ClientStatus: string }) => a.ClientStatus === "failed")
    expect(failed.TaskStates.fn.Events.at(-1)).toMatchObject({ Type: "Driver Failure", DriverError: "image not found" })
    expect(allocs.filter((a: { ClientStatus: string }) => a.ClientStatus === "running")).toHaveLength(1)
  })

  it("stops a job with purge=false (readable, Stop true, dead) and forgets it with purge=true", async () => {
    await deploy(sim, functionJob("fn", { count: 2 }))
    const stop = await call(sim, "DELETE", "/v1/job/fn?purge=false")
    expect(Object.keys(stop.json)).toEqual(
      [
        "EvalID",
        "EvalCreateIndex",
        "JobModifyIndex",
        "VolumeEvalID",
        "VolumeEvalIndex",
        "Index",
        "LastContact",
        "KnownLeader",
        "NextToken"
      ]
    )
    await sim.settled()
    const stopped = await call(sim, "GET", "/v1/job/fn")
    expect(stopped.json).toMatchObject({ Stop: true, Status: "dead", Version: 1 })
    expect(live((await call(sim, "GET", "/v1/job/fn/allocations")).json)).toHaveLength(0)
    expect((await call(sim, "GET", "/v1/job/fn/summary")).json.Summary.fn).toMatchObject({ Running: 0, Complete: 2 })

    await call(sim, "DELETE", "/v1/job/fn?purge=true")
    expect((await call(sim, "GET", "/v1/job/fn")).status).toBe(404)
  })

  it("deleting a missing job answers 200 with an empty EvalID", async () => {
    const answer = await call(sim, "DELETE", "/v1/job/ghost?purge=true")
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ EvalID: "", EvalCreateIndex: 0, JobModifyIndex: 0 })
  })

  it("registers through /v1/job/:id too, and stores periodic jobs without an evaluation", async () => {
    const periodic = { ...functionJob("cron"), Type: "batch", Periodic: { Spec: "*/5 * * * *" } }
    const answer = await call(sim, "POST", "/v1/job/cron", { body: { Job: periodic } })
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ EvalID: "", EvalCreateIndex: 0 })
    await sim.settled()
    const read = await call(sim, "GET", "/v1/job/cron")
    expect(read.json).toMatchObject({
      Status: "running",
      Periodic: { Enabled: true, SpecType: "cron", TimeZone: "UTC" }
    })
    expect((await call(sim, "GET", "/v1/job/cron/allocations")).json).toEqual([])
  })

  it("warns about memory oversubscription the scheduler does not allow", async () => {
    const job = functionJob("fn")
    job.TaskGroups[0]!.Tasks[0]!.Resources = { CPU: 100, MemoryMB: 128, MemoryMaxMB: 256 } as never
    const answer = await register(sim, job)
    expect(answer.json.Warnings).toBe(
      `1 warning:\n\n* Memory oversubscription is not enabled; Task "fn.fn" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.`
    )
  })

  it("exposes jobs, allocations and the index to tests through state", async () => {
    await deploy(sim, functionJob("fn", { count: 2 }))
    expect(sim.state.jobs().map((j) => j.ID)).toEqual(["fn"])
    expect(sim.state.allocations()).toHaveLength(2)
    expect(sim.state.index).toBeGreaterThan(1)
  })
})
