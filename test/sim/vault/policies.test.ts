import { assert, describe, it } from "@effect/vitest"
import { call, withVault } from "./vaultCalls.ts"
import type { SimPolicy, VaultSimulatorOptions } from "./VaultSimulator.ts"

const denied = "{\"errors\":[\"permission denied\"]}\n"

const policies: ReadonlyArray<SimPolicy> = [
  {
    name: "openfaas",
    paths: {
      "secret/data/openfaas/*": ["create", "read", "update", "delete"],
      "secret/metadata/openfaas/*": ["list"],
      "secret/data/openfaas/forbidden": ["deny"]
    }
  },
  { name: "lister", paths: { "secret/metadata/*": ["list"] } },
  { name: "team", paths: { "secret/+/team/*": ["read", "list"] } },
  { name: "updater", paths: { "secret/data/existing": ["update", "read"] } },
  { name: "patcher", paths: { "secret/data/p": ["patch"] } },
  { name: "broad", paths: { "secret/data/x*": ["read"], "secret/data/xy": ["update"] } }
]

const options: VaultSimulatorOptions = {
  policies,
  tokens: [
    { id: "root", policies: ["root"] },
    ...policies.map((p) => ({ id: p.name, policies: [p.name] })),
    { id: "bare", policies: [], noDefaultPolicy: true }
  ]
}

describe("Vault simulator: tokens and policies", () => {
  it("answers 403 permission denied without a valid token: missing, unknown, revoked or expired", () =>
    withVault(
      { ...options, tokens: [...options.tokens!, { id: "short", policies: ["openfaas"], ttlSeconds: 60 }] },
      async (sim) => {
        sim.state.writeSecret("secret", "openfaas/fn", { a: 1 })
        assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", { token: "short" })).status, 200)
        for (const token of [null, "nope"]) {
          const answer = await call(sim, "GET", "secret/data/openfaas/fn", { token })
          assert.deepStrictEqual([answer.status, answer.text], [403, denied])
          assert.strictEqual(answer.headers.get("content-type"), "application/json")
        }
        sim.state.advanceTime(60)
        assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", { token: "short" })).text, denied)
        sim.state.revokeToken("openfaas")
        assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", { token: "openfaas" })).status, 403)
        const bearer = await call(sim, "GET", "secret/data/openfaas/fn", {
          token: null,
          headers: { authorization: "Bearer root" }
        })
        assert.strictEqual(bearer.status, 200)
      }
    ))

  it("allows what a policy grants on <mount>/data and <mount>/metadata paths, and nothing else", () =>
    withVault(options, async (sim) => {
      const t = { token: "openfaas" }
      assert.strictEqual(
        (await call(sim, "POST", "secret/data/openfaas/fn", { ...t, body: { data: { a: 1 } } })).status,
        200
      )
      assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", t)).status, 200)
      assert.strictEqual((await call(sim, "DELETE", "secret/data/openfaas/fn", t)).status, 204)
      assert.strictEqual((await call(sim, "GET", "secret/metadata/openfaas/fn", t)).text, denied)
      assert.strictEqual((await call(sim, "GET", "secret/data/other", t)).text, denied)
      assert.strictEqual(
        (await call(sim, "POST", "secret/data/openfaas/forbidden", { ...t, body: { data: {} } })).text,
        denied
      )
      assert.strictEqual(
        (await call(sim, "POST", "secret/destroy/openfaas/fn", { ...t, body: { versions: [1] } })).status,
        403
      )
    }))

  it("separates list from read", () =>
    withVault(options, async (sim) => {
      sim.state.writeSecret("secret", "openfaas/fn", { a: 1 })
      const listed = await call(sim, "GET", "secret/metadata/openfaas?list=true", { token: "openfaas" })
      assert.deepStrictEqual(listed.json.data.keys, ["fn"])
      assert.strictEqual((await call(sim, "GET", "secret/metadata/?list=true", { token: "openfaas" })).status, 403)
      assert.deepStrictEqual(
        (await call(sim, "GET", "secret/metadata/?list=true", { token: "lister" })).json.data.keys,
        [
          "openfaas/"
        ]
      )
      assert.strictEqual((await call(sim, "GET", "secret/data/openfaas/fn", { token: "lister" })).status, 403)
    }))

  it("needs create for a new key and update for an existing one (Vault's existence check)", () =>
    withVault(options, async (sim) => {
      const write = () => call(sim, "POST", "secret/data/existing", { token: "updater", body: { data: { a: 1 } } })
      assert.strictEqual((await write()).status, 403)
      sim.state.writeSecret("secret", "existing", { a: 0 })
      assert.strictEqual((await write()).status, 200)
    }))

  it("needs the patch capability for PATCH", () =>
    withVault(options, async (sim) => {
      sim.state.writeSecret("secret", "p", { a: 1 })
      const patched = await call(sim, "PATCH", "secret/data/p", { token: "patcher", body: { data: { b: 2 } } })
      assert.strictEqual(patched.status, 200)
      assert.strictEqual((await call(sim, "GET", "secret/data/p", { token: "patcher" })).status, 403)
      assert.strictEqual(
        (await call(sim, "PATCH", "secret/data/openfaas/x", { token: "openfaas", body: { data: {} } })).status,
        403
      )
    }))

  it("matches + as one path segment", () =>
    withVault(options, async (sim) => {
      sim.state.writeSecret("secret", "team/a", { a: 1 })
      assert.strictEqual((await call(sim, "GET", "secret/data/team/a", { token: "team" })).status, 200)
      assert.deepStrictEqual(
        (await call(sim, "GET", "secret/metadata/team?list=true", { token: "team" })).json.data.keys,
        ["a"]
      )
      assert.strictEqual((await call(sim, "GET", "secret/data/other/team/a", { token: "team" })).status, 403)
    }))

  it("lets the most specific matching pattern decide, not the union of all matches", () =>
    withVault(options, async (sim) => {
      sim.state.writeSecret("secret", "xa", { a: 1 })
      sim.state.writeSecret("secret", "xy", { a: 1 })
      assert.strictEqual((await call(sim, "GET", "secret/data/xa", { token: "broad" })).status, 200)
      assert.strictEqual((await call(sim, "GET", "secret/data/xy", { token: "broad" })).status, 403)
    }))

  it("lets root through everything and checks the ACL before the router", () =>
    withVault(options, async (sim) => {
      const unknownAsRoot = await call(sim, "GET", "nomount/thing")
      assert.deepStrictEqual(unknownAsRoot.json, {
        errors: ["no handler for route \"nomount/thing\". route entry not found."]
      })
      assert.strictEqual(unknownAsRoot.status, 404)
      assert.strictEqual((await call(sim, "GET", "nomount/thing", { token: "openfaas" })).text, denied)
      assert.strictEqual((await call(sim, "GET", "nomount/thing", { token: null })).text, denied)
      const sys = await call(sim, "GET", "sys/mounts")
      assert.deepStrictEqual([sys.status, sys.json], [404, { errors: ["1 error occurred:\n\t* unsupported path\n\n"] }])
    }))

  it("gives every token the default policy (token self-management) unless told not to", () =>
    withVault(options, async (sim) => {
      assert.strictEqual((await call(sim, "GET", "auth/token/lookup-self", { token: "openfaas" })).status, 200)
      assert.strictEqual((await call(sim, "GET", "auth/token/lookup-self", { token: "bare" })).status, 403)
      assert.strictEqual((await call(sim, "POST", "auth/token/lookup-self", { token: "openfaas" })).status, 403)
      assert.strictEqual((await call(sim, "POST", "auth/token/lookup-self")).status, 200)
    }))
})
