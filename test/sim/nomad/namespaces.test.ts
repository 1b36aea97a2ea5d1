import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

describe("namespaces", () => {
  it("always has default, and lists namespaces by name", async () => {
    sim.state.createNamespace("team", { owner: "a" })
    const list = await call(sim, "GET", "/v1/namespaces")
    expect(list.json.map((n: { Name: string }) => n.Name)).toEqual(["default", "team"])
    expect(list.json[1]).toMatchObject({ Name: "team", Description: "", Meta: { owner: "a" }, Quota: "" })
    expect((await call(sim, "GET", "/v1/namespaces?prefix=te")).json).toHaveLength(1)
    const read = await call(sim, "GET", "/v1/namespace/default")
    expect(read.json).toMatchObject({ Name: "default", Description: "Default shared namespace" })
    const missing = await call(sim, "GET", "/v1/namespace/nope")
    expect({ status: missing.status, text: missing.text }).toEqual({ status: 404, text: "Namespace not found" })
  })

  it("creates and updates through PUT or POST, keeping the create index", async () => {
    const created = await call(sim, "PUT", "/v1/namespace/api", {
      body: { Name: "api", Description: "first", Meta: { k: "v" } }
    })
    expect({ status: created.status, text: created.text }).toEqual({ status: 200, text: "" })
    const index = Number(created.headers.get("x-nomad-index"))
    await call(sim, "POST", "/v1/namespace", { body: { name: "api", description: "second" } })
    const read = (await call(sim, "GET", "/v1/namespace/api")).json
    expect(read).toMatchObject({ Name: "api", Description: "second", CreateIndex: index })
    expect(read.ModifyIndex).toBeGreaterThan(index)
  })

  it("refuses bad writes with Nomad's texts", async () => {
    const mismatch = await call(sim, "PUT", "/v1/namespace/a", { body: { Name: "b" } })
    expect({ status: mismatch.status, text: mismatch.text }).toEqual({
      status: 400,
      text: "Namespace name does not match request path"
    })
    const invalid = await call(sim, "PUT", "/v1/namespace/bad_name", { body: { Name: "bad_name" } })
    expect({ status: invalid.status, text: invalid.text }).toEqual({
      status: 500,
      text:
        `Invalid namespace "bad_name": 1 error occurred:\n\t* invalid name "bad_name". Must match regex ^[a-zA-Z0-9-]{1,128}$\n\n`
    })
    const empty = await call(sim, "PUT", "/v1/namespace/a")
    expect({ status: empty.status, text: empty.text }).toEqual({ status: 400, text: "Request body is empty" })
  })

  it("deletes a namespace without live jobs, never default, never one that does not exist", async () => {
    sim.state.createNamespace("team")
    await deploy(sim, functionJob("fn", { namespace: "team" }))
    const busy = await call(sim, "DELETE", "/v1/namespace/team")
    expect({ status: busy.status, text: busy.text }).toEqual({
      status: 500,
      text: `1 error occurred:\n\t* namespace "team" has non-terminal jobs in regions: [global]\n\n`
    })
    await call(sim, "DELETE", "/v1/job/fn?namespace=team")
    await sim.settled()
    expect((await call(sim, "DELETE", "/v1/namespace/team")).status).toBe(200)
    expect((await call(sim, "GET", "/v1/namespace/team")).status).toBe(404)
    const fixed = await call(sim, "DELETE", "/v1/namespace/default")
    expect({ status: fixed.status, text: fixed.text }).toEqual({
      status: 500,
      text: "can not delete default namespace"
    })
    const gone = await call(sim, "DELETE", "/v1/namespace/gone")
    expect({ status: gone.status, text: gone.text }).toEqual({ status: 500, text: "namespace not found" })
  })
})
