import { assert, describe, it } from "@effect/vitest"
import { call, withVault } from "./vaultCalls.ts"
import type { VaultSimulatorOptions } from "./VaultSimulator.ts"

const options: VaultSimulatorOptions = {
  policies: [{ name: "openfaas", paths: { "secret/data/openfaas/*": ["read"] } }],
  tokens: [
    { id: "root", policies: ["root"] },
    { id: "app", policies: ["openfaas"], ttlSeconds: 3600, meta: { user: "faas" } },
    { id: "fixed", policies: ["openfaas"], ttlSeconds: 3600, renewable: false },
    { id: "capped", policies: ["openfaas"], ttlSeconds: 600, explicitMaxTtlSeconds: 1800 }
  ],
  appRoles: [{ roleId: "role-id", secretId: "secret-id", policies: ["openfaas"], ttlSeconds: 1200, roleName: "faas" }]
}

describe("Vault simulator: token self-management and AppRole login", () => {
  it("looks up the calling token, its TTL counting down on the simulator's clock", () =>
    withVault(options, async (sim) => {
      const lookup = await call(sim, "GET", "auth/token/lookup-self", { token: "app" })
      assert.strictEqual(lookup.status, 200)
      assert.strictEqual(lookup.json.mount_type, "token")
      const data = lookup.json.data
      assert.deepStrictEqual(
        [data.id, data.policies, data.creation_ttl, data.ttl, data.renewable, data.meta, data.type, data.orphan],
        ["app", ["default", "openfaas"], 3600, 3600, true, { user: "faas" }, "service", true]
      )
      assert.deepStrictEqual([data.expire_time, data.issue_time], ["2024-05-01T11:00:00Z", "2024-05-01T10:00:00Z"])
      assert.strictEqual(data.creation_time, Date.parse("2024-05-01T10:00:00Z") / 1000)
      sim.state.advanceTime(600)
      assert.strictEqual((await call(sim, "GET", "auth/token/lookup-self", { token: "app" })).json.data.ttl, 3000)
      sim.state.advanceTime(3000)
      assert.strictEqual((await call(sim, "GET", "auth/token/lookup-self", { token: "app" })).status, 403)

      const root = (await call(sim, "GET", "auth/token/lookup-self")).json.data
      assert.deepStrictEqual(
        [root.path, root.display_name, root.ttl, root.expire_time, root.renewable, root.policies],
        ["auth/token/root", "root", 0, null, false, ["root"]]
      )
    }))

  it("renews itself by an increment (Go duration or seconds) or by its last TTL, counting renewals", () =>
    withVault(options, async (sim) => {
      sim.state.advanceTime(1800)
      const renewed = await call(sim, "PUT", "auth/token/renew-self", { token: "app", body: { increment: "2h" } })
      assert.strictEqual(renewed.status, 200)
      assert.strictEqual(renewed.json.data, null)
      assert.deepStrictEqual(
        [renewed.json.auth.client_token, renewed.json.auth.lease_duration, renewed.json.auth.renewable],
        ["app", 7200, true]
      )
      assert.deepStrictEqual(renewed.json.auth.token_policies, ["default", "openfaas"])
      const lookup = (await call(sim, "GET", "auth/token/lookup-self", { token: "app" })).json.data
      assert.deepStrictEqual(
        [lookup.ttl, lookup.expire_time, lookup.creation_ttl],
        [7200, "2024-05-01T12:30:00Z", 3600]
      )
      assert.strictEqual(lookup.last_renewal, "2024-05-01T10:30:00Z")

      assert.strictEqual(
        (await call(sim, "POST", "auth/token/renew-self", { token: "app", body: { increment: 90 } })).json.auth
          .lease_duration,
        90
      )
      assert.strictEqual(
        (await call(sim, "POST", "auth/token/renew-self", { token: "app", body: { increment: "120" } })).json
          .auth.lease_duration,
        120
      )
      assert.strictEqual(
        (await call(sim, "POST", "auth/token/renew-self", { token: "app" })).json.auth.lease_duration,
        120
      )
      assert.strictEqual(sim.state.renewals("app"), 4)
      const bad = await call(sim, "POST", "auth/token/renew-self", { token: "app", body: { increment: "soon" } })
      assert.strictEqual(bad.status, 400)
      assert.match(bad.json.errors[0], /^Field validation failed: error converting input soon for field "increment"/)
      assert.strictEqual(sim.state.renewals("app"), 4)
      assert.strictEqual((await call(sim, "GET", "auth/token/renew-self", { token: "app" })).status, 403)
      assert.strictEqual((await call(sim, "GET", "auth/token/renew-self")).status, 405)
    }))

  it("refuses to renew a non-renewable or non-expiring token (400), and an expired one is just gone (403)", () =>
    withVault(options, async (sim) => {
      for (const token of ["fixed", "root"]) {
        const refused = await call(sim, "POST", "auth/token/renew-self", { token, body: { increment: "1h" } })
        assert.deepStrictEqual([refused.status, refused.json], [400, { errors: ["lease is not renewable"] }])
      }
      assert.isFalse((await call(sim, "GET", "auth/token/lookup-self", { token: "fixed" })).json.data.renewable)
      sim.state.advanceTime(3600)
      const expired = await call(sim, "POST", "auth/token/renew-self", { token: "app" })
      assert.deepStrictEqual([expired.status, expired.json], [403, { errors: ["permission denied"] }])
      assert.strictEqual(sim.state.renewals("fixed"), 0)
    }))

  it("caps a renewal at the explicit max TTL, with Vault's warning", () =>
    withVault(options, async (sim) => {
      sim.state.advanceTime(300)
      const renewed = await call(sim, "POST", "auth/token/renew-self", { token: "capped", body: { increment: "1h" } })
      assert.strictEqual(renewed.json.auth.lease_duration, 1500)
      assert.deepStrictEqual(renewed.json.warnings, [
        "TTL of \"1h\" exceeded the effective max_ttl of \"25m\"; TTL value is capped accordingly"
      ])
    }))

  it("revokes itself", () =>
    withVault(options, async (sim) => {
      assert.strictEqual((await call(sim, "POST", "auth/token/revoke-self", { token: "app" })).status, 204)
      assert.strictEqual((await call(sim, "GET", "auth/token/lookup-self", { token: "app" })).status, 403)
    }))

  it("logs in with AppRole without a token, and the new token carries the role's policies", () =>
    withVault(options, async (sim) => {
      sim.state.writeSecret("secret", "openfaas/fn", { a: 1 })
      const login = await call(sim, "POST", "auth/approle/login", {
        token: null,
        body: { role_id: "role-id", secret_id: "secret-id" }
      })
      assert.strictEqual(login.status, 200)
      assert.strictEqual(login.json.mount_type, "approle")
      const auth = login.json.auth
      assert.deepStrictEqual(
        [auth.token_policies, auth.lease_duration, auth.renewable, auth.metadata, auth.token_type],
        [["default", "openfaas"], 1200, true, { role_name: "faas" }, "service"]
      )
      const token = auth.client_token as string
      assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", { token })).status, 200)
      assert.strictEqual((await call(sim, "GET", "secret/data/other", { token })).status, 403)
      assert.strictEqual(
        (await call(sim, "POST", "auth/token/renew-self", { token, body: { increment: 60 } })).json.auth
          .lease_duration,
        60
      )
      assert.strictEqual((await call(sim, "POST", "auth/token/renew-self", { token })).json.auth.lease_duration, 1200)
      assert.strictEqual(sim.state.renewals(token), 2)
    }))

  it("rejects bad AppRole credentials with 400 and Vault's messages", () =>
    withVault(options, async (sim) => {
      const login = (body: unknown) => call(sim, "POST", "auth/approle/login", { token: null, body })
      for (const body of [{ role_id: "role-id", secret_id: "wrong" }, { role_id: "wrong", secret_id: "secret-id" }]) {
        const refused = await login(body)
        assert.deepStrictEqual([refused.status, refused.text], [400, "{\"errors\":[\"invalid role or secret ID\"]}\n"])
      }
      assert.deepStrictEqual((await login({ secret_id: "secret-id" })).json, { errors: ["missing role_id"] })
      assert.deepStrictEqual((await login({ role_id: "role-id" })).json, { errors: ["missing secret_id"] })
    }))

  it("has no AppRole mount unless roles are configured", () =>
    withVault({}, async (sim) => {
      const anonymous = await call(sim, "POST", "auth/approle/login", {
        token: null,
        body: { role_id: "a", secret_id: "b" }
      })
      assert.strictEqual(anonymous.status, 403)
      const asRoot = await call(sim, "POST", "auth/approle/login", { body: { role_id: "a", secret_id: "b" } })
      assert.strictEqual(asRoot.status, 404)
    }))
})
