import { assert, describe, it } from "@effect/vitest"
import { call, withVault } from "./vaultCalls.ts"

const envelopeKeys = [
  "request_id",
  "lease_id",
  "renewable",
  "lease_duration",
  "data",
  "wrap_info",
  "warnings",
  "auth",
  "mount_type"
]

describe("Vault simulator: KV v2 data", () => {
  it("writes a version and reads it back in Vault's envelope", () =>
    withVault({}, async (sim) => {
      const written = await call(sim, "POST", "secret/data/openfaas/fn", { body: { data: { user: "a", pass: "b" } } })
      assert.strictEqual(written.status, 200)
      assert.deepStrictEqual(written.json.data, {
        created_time: "2024-05-01T10:00:00Z",
        custom_metadata: null,
        deletion_time: "",
        destroyed: false,
        version: 1
      })
      const read = await call(sim, "GET", "secret/data/openfaas/fn")
      assert.strictEqual(read.status, 200)
      assert.deepStrictEqual(Object.keys(read.json), envelopeKeys)
      assert.strictEqual(read.json.mount_type, "kv")
      assert.strictEqual(read.json.lease_id, "")
      assert.isTrue(read.text.endsWith("}\n"))
      assert.strictEqual(read.headers.get("content-type"), "application/json")
      assert.strictEqual(read.headers.get("cache-control"), "no-store")
      assert.deepStrictEqual(read.json.data.data, { pass: "b", user: "a" })
      assert.strictEqual(read.json.data.metadata.version, 1)
      assert.deepStrictEqual(sim.state.readSecret("secret", "openfaas/fn"), { user: "a", pass: "b" })
      await call(sim, "POST", "secret/data/with%20space", { body: { data: { a: 1 } } })
      assert.deepStrictEqual(sim.state.readSecret("secret", "with space"), { a: 1 })
    }))

  it("reads an older version with ?version=, and answers 404 {errors:[]} for a missing key or version", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "k", { v: 1 })
      sim.state.writeSecret("secret", "k", { v: 2 })
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/k?version=1")).json.data.data, { v: 1 })
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/k")).json.data.data, { v: 2 })
      for (const path of ["secret/data/k?version=3", "secret/data/missing"]) {
        const missing = await call(sim, "GET", path)
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.text, "{\"errors\":[]}\n")
      }
      const bad = await call(sim, "GET", "secret/data/k?version=abc")
      assert.strictEqual(bad.status, 400)
      assert.match(bad.json.errors[0], /^Field validation failed: error converting input abc for field "version"/)
    }))

  it("enforces check-and-set: cas 0 only creates, a mismatch is 400, cas_required comes from config or key", () =>
    withVault({}, async (sim) => {
      const write = (cas?: unknown) =>
        call(sim, "POST", "secret/data/c", {
          body: { data: { x: 1 }, ...(cas === undefined ? {} : { options: { cas } }) }
        })
      assert.strictEqual((await write(0)).status, 200)
      const again = await write(0)
      assert.strictEqual(again.status, 400)
      assert.deepStrictEqual(again.json, { errors: ["check-and-set parameter did not match the current version"] })
      assert.strictEqual((await write(1)).json.data.version, 2)
      assert.strictEqual((await write("2")).json.data.version, 3)
      assert.deepStrictEqual((await write("x")).json, { errors: ["error parsing check-and-set parameter"] })

      assert.strictEqual((await call(sim, "POST", "secret/metadata/c", { body: { cas_required: true } })).status, 204)
      assert.deepStrictEqual((await write()).json, { errors: ["check-and-set parameter required for this call"] })
      assert.strictEqual((await write(3)).status, 200)

      assert.strictEqual((await call(sim, "POST", "secret/config", { body: { cas_required: true } })).status, 204)
      const other = await call(sim, "POST", "secret/data/other", { body: { data: {} } })
      assert.deepStrictEqual(other.json, { errors: ["check-and-set parameter required for this call"] })
    }))

  it("patches with a JSON merge patch, which needs the merge-patch content type and an existing key", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "p", { keep: "k", drop: "d", nested: { a: 1 } })
      const patched = await call(sim, "PATCH", "secret/data/p", { body: { data: { drop: null, nested: { b: 2 } } } })
      assert.strictEqual(patched.status, 200)
      assert.strictEqual(patched.json.data.version, 2)
      assert.deepStrictEqual(sim.state.readSecret("secret", "p"), { keep: "k", nested: { a: 1, b: 2 } })

      const wrongType = await call(sim, "PATCH", "secret/data/p", {
        body: { data: { x: 1 } },
        headers: { "content-type": "application/json" }
      })
      assert.strictEqual(wrongType.status, 415)
      assert.deepStrictEqual(wrongType.json, {
        errors: ["PATCH requires Content-Type of application/merge-patch+json, provided application/json"]
      })
      const missing = await call(sim, "PATCH", "secret/data/absent", { body: { data: { x: 1 } } })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.text, "")
      assert.deepStrictEqual((await call(sim, "PATCH", "secret/data/p", { body: { options: {} } })).json, {
        errors: ["no data provided"]
      })
      const stale = await call(sim, "PATCH", "secret/data/p", { body: { data: { x: 1 }, options: { cas: 1 } } })
      assert.strictEqual(stale.status, 400)
    }))

  it("soft-deletes the latest version: 204, then a 404 carrying the version's metadata; undelete brings it back", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "d", { a: 1 })
      sim.state.advanceTime(5)
      const deleted = await call(sim, "DELETE", "secret/data/d")
      assert.strictEqual(deleted.status, 204)
      assert.strictEqual(deleted.text, "")
      const read = await call(sim, "GET", "secret/data/d")
      assert.strictEqual(read.status, 404)
      assert.deepStrictEqual(read.json.data, {
        data: null,
        metadata: {
          created_time: "2024-05-01T10:00:00Z",
          custom_metadata: null,
          deletion_time: "2024-05-01T10:00:05Z",
          destroyed: false,
          version: 1
        }
      })
      assert.strictEqual(read.json.mount_type, "")
      assert.isFalse(read.text.endsWith("\n"))
      assert.isUndefined(sim.state.readSecret("secret", "d"))
      const patch = await call(sim, "PATCH", "secret/data/d", { body: { data: { b: 2 } } })
      assert.strictEqual(patch.status, 404)
      assert.strictEqual(patch.json.data.version, 1)

      assert.strictEqual((await call(sim, "POST", "secret/undelete/d", { body: { versions: [1] } })).status, 204)
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/d")).json.data.data, { a: 1 })
      assert.strictEqual((await call(sim, "DELETE", "secret/data/never-written")).status, 204)
    }))

  it("deletes and destroys chosen versions; a destroyed version cannot be undeleted", () =>
    withVault({}, async (sim) => {
      for (const v of [1, 2, 3]) sim.state.writeSecret("secret", "v", { v })
      assert.strictEqual((await call(sim, "POST", "secret/delete/v", { body: { versions: "1,2" } })).status, 204)
      assert.strictEqual((await call(sim, "GET", "secret/data/v?version=2")).status, 404)
      assert.strictEqual((await call(sim, "PUT", "secret/destroy/v", { body: { versions: [2, 3] } })).status, 204)
      const destroyed = await call(sim, "GET", "secret/data/v")
      assert.strictEqual(destroyed.status, 404)
      assert.deepStrictEqual(
        [destroyed.json.data.data, destroyed.json.data.metadata.destroyed, destroyed.json.data.metadata.deletion_time],
        [null, true, ""]
      )
      await call(sim, "POST", "secret/undelete/v", { body: { versions: [1, 2, 3] } })
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/v?version=1")).json.data.data, { v: 1 })
      assert.strictEqual((await call(sim, "GET", "secret/data/v?version=2")).status, 404)
      assert.deepStrictEqual((await call(sim, "POST", "secret/delete/v", { body: {} })).json, {
        errors: ["No version number provided"]
      })
      assert.deepStrictEqual((await call(sim, "POST", "secret/destroy/v", { body: { versions: [] } })).json, {
        errors: ["no version number provided"]
      })
      assert.strictEqual((await call(sim, "GET", "secret/delete/v")).status, 405)
    }))

  it("keeps at most max_versions versions: 10 by default, else the larger of the mount's and the key's", () =>
    withVault({}, async (sim) => {
      for (let v = 1; v <= 12; v++) sim.state.writeSecret("secret", "m", { v })
      const meta = (await call(sim, "GET", "secret/metadata/m")).json.data
      assert.deepStrictEqual([meta.current_version, meta.oldest_version], [12, 3])
      assert.deepStrictEqual(Object.keys(meta.versions).map(Number).sort((a, b) => a - b), [
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12
      ])
      assert.strictEqual((await call(sim, "GET", "secret/data/m?version=2")).status, 404)

      await call(sim, "POST", "secret/config", { body: { max_versions: 2 } })
      await call(sim, "POST", "secret/metadata/small", { body: { max_versions: 1 } })
      for (let v = 1; v <= 4; v++) sim.state.writeSecret("secret", "small", { v })
      const small = (await call(sim, "GET", "secret/metadata/small")).json.data
      assert.deepStrictEqual(Object.keys(small.versions), ["3", "4"])
      assert.strictEqual(small.oldest_version, 3)
    }))

  it("schedules deletion with delete_version_after, on the simulator's clock", () =>
    withVault({}, async (sim) => {
      await call(sim, "POST", "secret/config", { body: { delete_version_after: "1h" } })
      await call(sim, "POST", "secret/metadata/t", { body: { delete_version_after: "10m" } })
      const written = await call(sim, "POST", "secret/data/t", { body: { data: { a: 1 } } })
      assert.strictEqual(written.json.data.deletion_time, "2024-05-01T10:10:00Z")
      sim.state.advanceTime(599)
      assert.strictEqual((await call(sim, "GET", "secret/data/t")).status, 200)
      sim.state.advanceTime(1)
      assert.strictEqual((await call(sim, "GET", "secret/data/t")).status, 404)
      const negative = await call(sim, "POST", "secret/metadata/t", { body: { delete_version_after: "-1s" } })
      assert.strictEqual(negative.status, 400)
    }))

  it("answers paths a v2 mount does not have with a raw 404 carrying only a warning", () =>
    withVault({}, async (sim) => {
      const v1Style = await call(sim, "GET", "secret/openfaas/fn")
      assert.strictEqual(v1Style.status, 404)
      assert.strictEqual(v1Style.json.data, null)
      assert.match(v1Style.json.warnings[0], /Invalid path for a versioned K\/V secrets engine.*'vault kv get'/)
      const root = await call(sim, "POST", "secret/data", { body: { data: {} } })
      assert.deepStrictEqual(root.json.warnings, [
        "Non-listing operations on the root of a K/V v2 mount are not supported."
      ])
    }))

  it("rejects what Vault's framework rejects and warns about parameters it ignores", () =>
    withVault({}, async (sim) => {
      const notMap = await call(sim, "POST", "secret/data/f", { body: { data: "text" } })
      assert.strictEqual(notMap.status, 400)
      assert.match(notMap.json.errors[0], /^Field validation failed: error converting input text for field "data"/)
      const badJson = await call(sim, "POST", "secret/data/f", { body: "{not json" })
      assert.deepStrictEqual([badJson.status, badJson.json], [400, { errors: ["error parsing JSON"] }])
      assert.deepStrictEqual((await call(sim, "POST", "secret/data/f", { body: {} })).json, {
        errors: ["no data provided"]
      })
      const extra = await call(sim, "POST", "secret/data/f", { body: { data: { a: 1 }, version: 3, bogus: true } })
      assert.strictEqual(extra.status, 200)
      assert.deepStrictEqual(extra.json.warnings, ["Endpoint ignored these unrecognized parameters: [bogus]"])
      assert.strictEqual((await call(sim, "PROPFIND", "secret/data/f")).status, 405)
    }))
})
