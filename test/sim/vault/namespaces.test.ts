import { assert, describe, it } from "@effect/vitest"
import { call, withVault } from "./vaultCalls.ts"

const ns = (name: string) => ({ "x-vault-namespace": name })

describe("Vault simulator: Enterprise namespaces", () => {
  it("keeps each namespace's secrets apart, addressed by X-Vault-Namespace or by a path prefix", () =>
    withVault({ namespaces: ["team-a", "team-b"] }, async (sim) => {
      const written = await call(sim, "POST", "secret/data/fn", { headers: ns("team-a"), body: { data: { a: 1 } } })
      assert.strictEqual(written.status, 200)
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/fn", { headers: ns("team-a/") })).json.data.data, {
        a: 1
      })
      assert.deepStrictEqual((await call(sim, "GET", "team-a/secret/data/fn")).json.data.data, { a: 1 })
      assert.strictEqual((await call(sim, "GET", "secret/data/fn", { headers: ns("team-b") })).status, 404)
      assert.strictEqual((await call(sim, "GET", "secret/data/fn")).status, 404)
      assert.deepStrictEqual(sim.state.readSecret("secret", "fn", "team-a"), { a: 1 })
      assert.isUndefined(sim.state.readSecret("secret", "fn"))
      assert.isTrue((await call(sim, "GET", "sys/health")).json.enterprise)
    }))

  it("routes an unknown namespace into the root namespace, where its name is an unknown mount", () =>
    withVault({
      namespaces: ["team-a"],
      policies: [{ name: "a-reader", paths: { "team-a/secret/data/*": ["read"] } }],
      tokens: [{ id: "root", policies: ["root"] }, { id: "reader", policies: ["a-reader"] }]
    }, async (sim) => {
      const unknown = await call(sim, "GET", "secret/data/fn", { headers: ns("nope") })
      assert.deepStrictEqual(
        [unknown.status, unknown.json],
        [404, {
          errors: ["no handler for route \"nope/secret/data/fn\". route entry not found."]
        }]
      )
      assert.strictEqual(
        (await call(sim, "GET", "secret/data/fn", { token: "reader", headers: ns("nope") })).status,
        403
      )
      sim.state.writeSecret("secret", "fn", { a: 1 }, "team-a")
      assert.strictEqual(
        (await call(sim, "GET", "secret/data/fn", { token: "reader", headers: ns("team-a") })).status,
        200
      )
      assert.strictEqual((await call(sim, "GET", "secret/data/fn", { token: "reader" })).status, 403)
    }))

  it("ignores X-Vault-Namespace without Enterprise namespaces, as the community edition does", () =>
    withVault({}, async (sim) => {
      await call(sim, "POST", "secret/data/fn", { headers: ns("team-a"), body: { data: { a: 1 } } })
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/fn")).json.data.data, { a: 1 })
      assert.isFalse((await call(sim, "GET", "sys/health")).json.enterprise)
    }))
})
