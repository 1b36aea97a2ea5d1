/**
 * The official Vault API samples (`../shared/contracts/vault`): the simulator accepts every sample
 * request, and each of its answers has every key of the matching sample response, with a value of
 * the same JSON type.
 */
import { assert, it } from "@effect/vitest"
import { contractJson, describeContracts } from "../../support/contracts.ts"
import { call, withVault } from "./vaultCalls.ts"
import type { VaultSimulatorOptions } from "./VaultSimulator.ts"

const sample = (name: string): any => contractJson(`vault/${name}.json`)

const jsonType = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value)

/** Maps whose keys are the user's own (secret data, custom metadata, token metadata), not the API's. */
const freeForm = /(\.custom_metadata|\.meta|\.auth\.metadata|^\$\.data\.data)$/

/** Every key of `expected` is in `actual`, recursively, with the same JSON type (a sample's `null` matches anything). */
const assertShape = (actual: unknown, expected: unknown, at = "$"): void => {
  if (expected === null) return
  assert.strictEqual(jsonType(actual), jsonType(expected), `type at ${at}`)
  if (jsonType(expected) !== "object" || freeForm.test(at)) return
  for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
    assert.property(actual, key, `missing ${at}.${key}`)
    assertShape((actual as Record<string, unknown>)[key], value, `${at}.${key}`)
  }
}

/** Read when a test runs, not at import: without the samples the tests are skipped, not broken. */
const login = () => sample("approle-login.request")
const options = (): VaultSimulatorOptions => ({
  tokens: [
    { id: "root", policies: ["root"] },
    {
      id: "tesla",
      policies: ["testgroup2-policy"],
      ttlSeconds: 2764800,
      meta: { username: "tesla" },
      entityId: "7d2e3179-f69b-450c-7179-ac8ee8bd8ca9",
      identityPolicies: ["dev-group-policy"]
    },
    { id: "armon", policies: ["web", "stage"], ttlSeconds: 600, meta: { user: "armon" } }
  ],
  appRoles: [{ roleId: login().role_id, secretId: login().secret_id, policies: [], ttlSeconds: 1200 }]
})

describeContracts("Vault simulator: the official API samples", () => {
  it("accepts the KV v2 sample requests and answers in the shape of the sample responses", () =>
    withVault(options(), async (sim) => {
      const meta = await call(sim, "POST", "secret/metadata/foo", { body: sample("kv2-metadata-write.request") })
      assert.strictEqual(meta.status, 204)
      const write = await call(sim, "POST", "secret/data/foo", { body: sample("kv2-data-write.request") })
      assert.strictEqual(write.status, 200)
      assertShape(write.json, sample("kv2-data-write.response"))
      const patch = await call(sim, "PATCH", "secret/data/foo", { body: sample("kv2-data-patch.request") })
      assert.strictEqual(patch.status, 200)
      assertShape(patch.json, sample("kv2-data-patch.response"))
      assert.strictEqual((await call(sim, "POST", "secret/data/foo", { body: { data: { foo: "bar" } } })).status, 200)

      assertShape((await call(sim, "GET", "secret/data/foo")).json, sample("kv2-data-read.response"))
      assertShape((await call(sim, "GET", "secret/metadata/foo")).json, sample("kv2-metadata-read.response"))
      const patchMeta = await call(sim, "PATCH", "secret/metadata/foo", { body: sample("kv2-metadata-patch.request") })
      assert.strictEqual(patchMeta.status, 204)

      sim.state.writeSecret("secret", "foo/bar", {})
      assertShape((await call(sim, "GET", "secret/metadata/?list=true")).json, sample("kv2-metadata-list.response"))
      assert.deepStrictEqual((await call(sim, "GET", "secret/metadata/?list=true")).json.data.keys, ["foo", "foo/"])

      sim.state.writeSecret("secret", "sub", sample("kv2-subkeys-secret-data.example"))
      const subkeys = await call(sim, "GET", "secret/subkeys/sub")
      assertShape(subkeys.json.data, sample("kv2-subkeys-read.response"))
      assert.deepStrictEqual(subkeys.json.data.subkeys, sample("kv2-subkeys-read.response").subkeys)

      for (const [endpoint, name] of [
        ["delete", "kv2-delete-versions"],
        ["undelete", "kv2-undelete-versions"],
        ["destroy", "kv2-destroy-versions"]
      ]) {
        assert.strictEqual(
          (await call(sim, "POST", `secret/${endpoint}/foo`, { body: sample(`${name}.request`) })).status,
          204
        )
      }
      assert.strictEqual((await call(sim, "POST", "secret/config", { body: sample("kv2-config.request") })).status, 204)
      assertShape((await call(sim, "GET", "secret/config")).json, sample("kv2-config-read.response"))
    }))

  it("answers the token and AppRole sample requests in the shape of the sample responses", () =>
    withVault(options(), async (sim) => {
      assertShape(
        (await call(sim, "GET", "auth/token/lookup-self", { token: "tesla" })).json,
        sample("token-lookup-self.response")
      )
      const renewed = await call(sim, "POST", "auth/token/renew-self", {
        token: "armon",
        body: sample("token-renew-self.request")
      })
      assert.strictEqual(renewed.status, 200)
      assertShape(renewed.json, sample("token-renew-self.response"))
      assert.strictEqual(renewed.json.auth.lease_duration, 3600)
      const loggedIn = await call(sim, "POST", "auth/approle/login", { token: null, body: login() })
      assert.strictEqual(loggedIn.status, 200)
      assertShape(loggedIn.json, sample("approle-login.response"))
    }))

  it("answers errors in the shape of the sample error bodies", () =>
    withVault(options(), async (sim) => {
      assertShape((await call(sim, "GET", "secret/data/foo", { token: "nope" })).json, sample("error.response"))
      assert.deepStrictEqual(
        (await call(sim, "GET", "secret/metadata/?list=true")).json,
        sample("error-list-empty.response")
      )
    }))
})
