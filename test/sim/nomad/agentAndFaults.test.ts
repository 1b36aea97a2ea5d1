import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob } from "./testSupport.ts"

let sim: NomadSimulator
afterEach(() => sim?.close())

const received = async (match: RegExp, n = 1) => {
  while (sim.server.count(match) < n) await new Promise((resolve) => setImmediate(resolve))
}

describe("the agent", () => {
  it("reports its region, datacenter and version, its health and its leader", async () => {
    sim = await startNomadSimulator({ region: "eu", datacenter: "eu-west-1", version: "1.10.5" })
    const self = await call(sim, "GET", "/v1/agent/self")
    expect(Object.keys(self.json)).toEqual(["config", "member", "stats"])
    expect(self.json.config).toMatchObject({
      Region: "eu",
      Datacenter: "eu-west-1",
      Version: { Version: "1.10.5" },
      ACL: { Enabled: false }
    })
    expect(self.json.member).toMatchObject({ Status: "alive", Tags: { region: "eu", dc: "eu-west-1" } })
    expect((await call(sim, "GET", "/v1/agent/health")).json).toEqual({
      client: { ok: true, message: "ok" },
      server: { ok: true, message: "ok" }
    })
    expect((await call(sim, "GET", "/v1/status/leader")).text).toBe(`"127.0.0.1:4647"`)
    expect((await call(sim, "GET", "/v1/status/peers")).json).toEqual(["127.0.0.1:4647"])
  })

  it("places jobs in the agent's region when they ask for global or nothing", async () => {
    sim = await startNomadSimulator({ region: "eu" })
    await deploy(sim, { ...functionJob("fn"), Region: "global" })
    expect((await call(sim, "GET", "/v1/job/fn")).json.Region).toBe("eu")
  })

  it.live("lives for a scope with NomadSimulator.scoped", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const scoped = yield* NomadSimulator.scoped({ region: "scoped" })
        const leader = yield* Effect.promise(() =>
          fetch(`${scoped.url}/v1/agent/self`).then((r) => r.json() as Promise<{ config: { Region: string } }>)
        )
        expect(leader.config.Region).toBe("scoped")
        return scoped.url
      }))
      const after = yield* Effect.promise(() =>
        fetch(`${url}/v1/status/leader`).then(() => "answered", () => "refused")
      )
      expect(after).toBe("refused")
    }))
})

describe("faults", () => {
  it("answers an injected status for matching requests only, as many times as asked", async () => {
    sim = await startNomadSimulator()
    sim.server.faults.inject(
      { kind: "status", status: 500, body: "No cluster leader" },
      { match: /^GET \/v1\/jobs$/, times: 2 }
    )
    expect((await call(sim, "GET", "/v1/agent/health")).status).toBe(200)
    const first = await call(sim, "GET", "/v1/jobs")
    expect({ status: first.status, text: first.text }).toEqual({ status: 500, text: "No cluster leader" })
    expect((await call(sim, "GET", "/v1/jobs")).status).toBe(500)
    expect((await call(sim, "GET", "/v1/jobs")).status).toBe(200)
    expect(sim.server.count(/^GET \/v1\/jobs$/)).toBe(3)
  })

  it("hangs a request until the client gives up, and drops a connection", async () => {
    sim = await startNomadSimulator()
    sim.server.faults.inject({ kind: "hang" }, { match: /\/v1\/jobs/ })
    const controller = new AbortController()
    const hung = fetch(`${sim.url}/v1/jobs`, { signal: controller.signal }).then(() => "answered", (e: Error) => e.name)
    await received(/\/v1\/jobs/)
    controller.abort()
    expect(await hung).toBe("AbortError")
    sim.server.faults.inject({ kind: "drop" })
    expect(await fetch(`${sim.url}/v1/jobs`).then(() => "answered", () => "dropped")).toBe("dropped")
    expect((await call(sim, "GET", "/v1/jobs")).status).toBe(200)
  })

  it("goes down and comes back on the same port with its state", async () => {
    sim = await startNomadSimulator()
    await deploy(sim, functionJob("fn"))
    const url = sim.url
    await sim.server.down()
    expect(await fetch(`${url}/v1/jobs`).then(() => "answered", () => "refused")).toBe("refused")
    await sim.server.up()
    expect(sim.url).toBe(url)
    expect((await call(sim, "GET", "/v1/job/fn")).json.ID).toBe("fn")
  })
})
