import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { call, withVault } from "./vaultCalls.ts"
import { VaultSimulator } from "./VaultSimulator.ts"

describe("Vault simulator: transport, faults and lifecycle", () => {
  it("logs requests and applies injected faults before answering", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "fn", { a: 1 })
      sim.server.faults.inject(
        { kind: "status", status: 500, body: "{\"errors\":[\"boom\"]}", contentType: "application/json" },
        { match: /^GET \/v1\/secret\/data\// }
      )
      const failed = await call(sim, "GET", "secret/data/fn")
      assert.deepStrictEqual([failed.status, failed.json], [500, { errors: ["boom"] }])
      assert.strictEqual((await call(sim, "GET", "secret/data/fn")).status, 200)
      assert.strictEqual(sim.server.count(/^GET \/v1\/secret\/data\/fn$/), 2)
      const logged = sim.server.requests.at(-1)!
      assert.strictEqual(logged.headers["x-vault-token"], "root")

      sim.server.faults.inject({ kind: "drop" })
      const dropped = await call(sim, "GET", "secret/data/fn").then(() => "answered", () => "dropped")
      assert.strictEqual(dropped, "dropped")
    }))

  it("goes down and comes back on the same URL with its state", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "fn", { a: 1 })
      const url = sim.url
      await sim.server.down()
      assert.strictEqual(await call(sim, "GET", "secret/data/fn").then(() => "answered", () => "refused"), "refused")
      await sim.server.up()
      assert.strictEqual(sim.url, url)
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/fn")).json.data.data, { a: 1 })
    }))

  it("answers paths outside /v1/ as Go's mux does", () =>
    withVault({}, async (sim) => {
      const response = await fetch(`${sim.url}/ui/`)
      assert.deepStrictEqual([response.status, await response.text()], [404, "404 page not found\n"])
    }))

  it.live("is a scoped resource in Effect: started on acquire, closed on release", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const sim = yield* VaultSimulator.scoped({ tokens: [{ id: "t", policies: ["root"] }] })
        const answer = yield* Effect.promise(() => call(sim, "GET", "auth/token/lookup-self", { token: "t" }))
        assert.strictEqual(answer.status, 200)
        return sim.url
      }))
      const after = yield* Effect.promise(() => fetch(`${url}/v1/sys/health`).then(() => "answered", () => "closed"))
      assert.strictEqual(after, "closed")
    }))
})
