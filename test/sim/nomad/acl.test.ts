import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator({
    acl: {
      managementToken: "root",
      tokens: {
        reader: { namespaces: ["default"], write: false },
        writer: { namespaces: ["default"], write: true },
        team: { namespaces: ["team"], write: true },
        everywhere: { namespaces: "*", write: false }
      }
    }
  })
  sim.state.createNamespace("team")
})
afterEach(() => sim.close())

const as = (token: string) => ({ "x-nomad-token": token })
const denied = (answer: { status: number; text: string }, text = "Permission denied") =>
  expect({ status: answer.status, text: answer.text }).toEqual({ status: 403, text })

describe("ACLs", () => {
  it("refuse an anonymous caller and an unknown token", async () => {
    denied(await call(sim, "GET", "/v1/jobs"))
    denied(await call(sim, "GET", "/v1/jobs", { headers: as("nobody") }), "ACL token not found")
    denied(await call(sim, "GET", "/v1/agent/self"))
    expect((await call(sim, "GET", "/v1/status/leader")).status).toBe(200)
    expect((await call(sim, "GET", "/v1/agent/health")).status).toBe(200)
  })

  it("read the token from X-Nomad-Token first, then from a Bearer authorization of any case", async () => {
    expect((await call(sim, "GET", "/v1/jobs", { headers: { authorization: "bearer root" } })).status).toBe(200)
    expect((await call(sim, "GET", "/v1/jobs", { headers: { authorization: "Bearer  root " } })).status).toBe(200)
    expect(
      (await call(sim, "GET", "/v1/jobs", { headers: { ...as(" root "), authorization: "Bearer nobody" } })).status
    ).toBe(200)
    denied(
      await call(sim, "GET", "/v1/jobs", { headers: { ...as("nobody"), authorization: "Bearer root" } }),
      "ACL token not found"
    )
    denied(await call(sim, "GET", "/v1/jobs", { headers: { authorization: "Basic root" } }))
  })

  it("let a read token read and not write, a write token write, in their namespaces only", async () => {
    const body = { Job: functionJob("fn") }
    denied(await call(sim, "PUT", "/v1/jobs", { body, headers: as("reader") }))
    expect((await call(sim, "PUT", "/v1/jobs", { body, headers: as("writer") })).status).toBe(200)
    expect((await call(sim, "GET", "/v1/job/fn", { headers: as("reader") })).status).toBe(200)
    denied(await call(sim, "GET", "/v1/job/fn", { headers: as("team") }))
    denied(await call(sim, "DELETE", "/v1/job/fn", { headers: as("reader") }))
    denied(
      await call(sim, "POST", "/v1/job/fn/scale", {
        body: { Count: 2, Target: { Group: "fn" } },
        headers: as("reader")
      })
    )
    expect(
      (await call(sim, "PUT", "/v1/jobs?namespace=team", { body: { Job: functionJob("t") }, headers: as("team") }))
        .status
    ).toBe(200)
  })

  it("filter `*` lists to the token's namespaces", async () => {
    await call(sim, "PUT", "/v1/jobs", { body: { Job: functionJob("fn") }, headers: as("root") })
    await call(sim, "PUT", "/v1/jobs?namespace=team", { body: { Job: functionJob("t") }, headers: as("root") })
    const ids = async (token: string) =>
      (await call(sim, "GET", "/v1/jobs?namespace=*", { headers: as(token) })).json.map((j: { ID: string }) => j.ID)
    expect(await ids("team")).toEqual(["t"])
    expect(await ids("everywhere")).toEqual(["fn", "t"])
    expect(await ids("root")).toEqual(["fn", "t"])
    const namespaces = await call(sim, "GET", "/v1/namespaces", { headers: as("team") })
    expect(namespaces.json.map((n: { Name: string }) => n.Name)).toEqual(["team"])
  })

  it("need a management token to write namespaces", async () => {
    const body = { Name: "new" }
    denied(await call(sim, "PUT", "/v1/namespace/new", { body, headers: as("writer") }))
    expect((await call(sim, "PUT", "/v1/namespace/new", { body, headers: as("root") })).status).toBe(200)
    denied(await call(sim, "DELETE", "/v1/namespace/new", { headers: as("everywhere") }))
  })

  it("guard variables and agent information too", async () => {
    const body = { Items: { key: "value" } }
    denied(await call(sim, "PUT", "/v1/var/fn/secret", { body, headers: as("reader") }))
    expect((await call(sim, "PUT", "/v1/var/fn/secret", { body, headers: as("writer") })).status).toBe(200)
    expect((await call(sim, "GET", "/v1/var/fn/secret", { headers: as("reader") })).json.Items).toEqual({
      key: "value"
    })
    denied(await call(sim, "GET", "/v1/var/fn/secret", { headers: as("team") }))
    const self = await call(sim, "GET", "/v1/agent/self", { headers: as("reader") })
    expect(self.json.config.ACL.Enabled).toBe(true)
  })
})
