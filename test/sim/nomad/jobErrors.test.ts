import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

const expectText = (answer: { status: number; text: string; headers: Headers }, status: number, text: string) => {
  expect({ status: answer.status, text: answer.text }).toEqual({ status, text })
  expect(answer.headers.get("content-type")).toBe("text/plain; charset=utf-8")
}

describe("job register errors", () => {
  it("refuses a missing body, bad JSON, a body of the wrong type and mistyped fields with 400", async () => {
    expectText(await call(sim, "PUT", "/v1/jobs"), 400, "Request body is empty")
    expectText(
      await call(sim, "PUT", "/v1/jobs", { body: "nope" }),
      400,
      "invalid character 'n' looking for beginning of value"
    )
    expectText(
      await call(sim, "PUT", "/v1/jobs", { body: "[]" }),
      400,
      "json: cannot unmarshal array into Go value of type api.JobRegisterRequest"
    )
    const mistyped = { ...functionJob("fn"), TaskGroups: [{ Name: "g", Count: "2" }] }
    expectText(
      await register(sim, mistyped),
      400,
      "json: cannot unmarshal string into Go struct field TaskGroup.Job.TaskGroups.Count of type int"
    )
    expectText(
      await register(sim, functionJob("fn"), { EnforceIndex: "yes" }),
      400,
      "json: cannot unmarshal string into Go struct field JobRegisterRequest.EnforceIndex of type bool"
    )
  })

  it("needs a job, with an ID, matching the URL", async () => {
    expectText(await call(sim, "PUT", "/v1/jobs", { body: {} }), 400, "Job must be specified")
    expectText(await call(sim, "PUT", "/v1/jobs", { body: { Job: { Name: "x" } } }), 400, "Job ID hasn't been provided")
    expectText(
      await call(sim, "POST", "/v1/job/other", { body: { Job: functionJob("fn") } }),
      400,
      "Job ID does not match name"
    )
    expectText(
      await register(sim, functionJob("fn"), { EvalPriority: 101 }),
      400,
      "Eval priority must be between 1 and 100 inclusively"
    )
  })

  it("refuses a job in a namespace that does not exist, as the admission hook does (500)", async () => {
    expectText(
      await register(sim, functionJob("fn", { namespace: "nope" })),
      500,
      `1 error occurred:\n\t* job "fn" is in nonexistent namespace "nope"\n\n`
    )
    expectText(
      await register(sim, functionJob("fn"), {}, "?namespace=other"),
      500,
      `1 error occurred:\n\t* job "fn" is in nonexistent namespace "other"\n\n`
    )
  })

  it("answers validation failures with 500 and go-multierror text, nested per group and task", async () => {
    expectText(await register(sim, { ID: "fn" }), 500, "1 error occurred:\n\t* Missing job task groups\n\n")
    const bad = {
      ID: "fn",
      Type: "nope",
      TaskGroups: [{ Name: "g", Tasks: [{ Name: "t" }] }, { Name: "g", Tasks: [] }]
    }
    expectText(
      await register(sim, bad),
      500,
      "4 errors occurred:\n" +
        `\t* Invalid job type: "nope"\n` +
        "\t* Job task group 2 redefines 'g' from group 1\n" +
        "\t* Task group g validation failed: 1 error occurred:\n\t* Task t validation failed: 1 error occurred:\n\t* Missing task driver\n\n\n\n\n" +
        "\t* Task group g validation failed: 1 error occurred:\n\t* Missing tasks for task group\n\n\n\n"
    )
  })
})

describe("job check-and-set", () => {
  it("registers only a new job with JobModifyIndex 0", async () => {
    expect((await register(sim, functionJob("fn"), { EnforceIndex: true, JobModifyIndex: 0 })).status).toBe(200)
    expectText(
      await register(sim, functionJob("fn"), { EnforceIndex: true, JobModifyIndex: 0 }),
      500,
      "Enforcing job modify index 0: job already exists"
    )
  })

  it("updates only at the current JobModifyIndex", async () => {
    const first = await register(sim, functionJob("fn"))
    const current = first.json.JobModifyIndex
    expectText(
      await register(sim, functionJob("fn", { count: 2 }), { EnforceIndex: true, JobModifyIndex: current + 100 }),
      500,
      `Enforcing job modify index ${current + 100}: job exists with conflicting job modify index: ${current}`
    )
    const ok = await register(sim, functionJob("fn", { count: 2 }), { EnforceIndex: true, JobModifyIndex: current })
    expect(ok.status).toBe(200)
    expect(ok.json.JobModifyIndex).toBeGreaterThan(current)
  })

  it("refuses an index for a job that does not exist", async () => {
    expectText(
      await register(sim, functionJob("fn"), { EnforceIndex: true, JobModifyIndex: 7 }),
      500,
      "Enforcing job modify index 7: job does not exist"
    )
  })

  it("ignores the index without EnforceIndex", async () => {
    await register(sim, functionJob("fn"))
    expect((await register(sim, functionJob("fn"), { JobModifyIndex: 12345 })).status).toBe(200)
  })
})

describe("other job errors", () => {
  it("answers a wrong method with 405 Invalid method and an unknown route with an empty 404", async () => {
    expectText(await call(sim, "PATCH", "/v1/jobs"), 405, "Invalid method")
    expectText(await call(sim, "PATCH", "/v1/job/fn"), 405, "Invalid method")
    expectText(await call(sim, "POST", "/v1/job/fn/allocations"), 405, "Invalid method")
    const unknown = await call(sim, "GET", "/v1/nothing")
    expect({ status: unknown.status, text: unknown.text }).toEqual({ status: 404, text: "" })
    expect((await call(sim, "GET", "/v1/jobs/")).status).toBe(404)
  })

  it("answers reads of a missing job with 404 job not found, and a bad purge flag with 500", async () => {
    expectText(await call(sim, "GET", "/v1/job/ghost"), 404, "job not found")
    expectText(await call(sim, "GET", "/v1/job/ghost/summary"), 404, "job not found")
    expectText(await call(sim, "GET", "/v1/job/ghost/scale"), 404, "job not found")
    expectText(await call(sim, "GET", "/v1/job/ghost/services"), 404, "job not found")
    expect((await call(sim, "GET", "/v1/job/ghost/allocations")).text).toBe("[]")
    expectText(
      await call(sim, "DELETE", "/v1/job/ghost?purge=maybe"),
      500,
      `Failed to parse value of "purge" (maybe) as a bool: strconv.ParseBool: parsing "maybe": invalid syntax`
    )
  })

  it("answers an unknown region as an agent that cannot forward, and pretty-prints on request", async () => {
    expectText(await call(sim, "GET", "/v1/jobs?region=mars"), 500, "No path to region")
    await deploy(sim, functionJob("fn"))
    const pretty = await call(sim, "GET", "/v1/job/fn/summary?pretty")
    expect(pretty.text.startsWith("{\n    \"JobID\": \"fn\"")).toBe(true)
    expect(pretty.text.endsWith("}\n")).toBe(true)
  })

  it("keeps the index headers on a 404 read", async () => {
    await deploy(sim, functionJob("fn"))
    const missing = await call(sim, "GET", "/v1/job/ghost")
    expect(Number(missing.headers.get("x-nomad-index"))).toBeGreaterThan(1)
  })
})
