import { assert, describe, it } from "@effect/vitest"
import { buildLogicalRequest } from "./LogicalRequest.ts"
import { call, withVault } from "./vaultCalls.ts"

describe("Vault simulator: KV v2 metadata, lists, subkeys and config", () => {
  it("reads a key's metadata, with every kept version", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "fn", { a: 1 })
      sim.state.advanceTime(1.5)
      sim.state.writeSecret("secret", "fn", { a: 2 })
      const meta = await call(sim, "GET", "secret/metadata/fn")
      assert.strictEqual(meta.status, 200)
      assert.deepStrictEqual(meta.json.data, {
        cas_required: false,
        created_time: "2024-05-01T10:00:00Z",
        current_version: 2,
        custom_metadata: null,
        delete_version_after: "0s",
        max_versions: 0,
        oldest_version: 0,
        updated_time: "2024-05-01T10:00:01.5Z",
        versions: {
          "1": { created_time: "2024-05-01T10:00:00Z", deletion_time: "", destroyed: false },
          "2": { created_time: "2024-05-01T10:00:01.5Z", deletion_time: "", destroyed: false }
        }
      })
      assert.deepStrictEqual(await call(sim, "GET", "secret/metadata/none").then((a) => [a.status, a.text]), [
        404,
        "{\"errors\":[]}\n"
      ])
    }))

  it("writes metadata (204), creating a key without versions, and warns when the mount mandates cas", () =>
    withVault({}, async (sim) => {
      const write = await call(sim, "POST", "secret/metadata/new", {
        body: { max_versions: 5, custom_metadata: { owner: "jdoe", n: 3 }, delete_version_after: "3h25m19s" }
      })
      assert.deepStrictEqual([write.status, write.text], [204, ""])
      const meta = (await call(sim, "GET", "secret/metadata/new")).json.data
      assert.deepStrictEqual(
        [meta.current_version, meta.max_versions, meta.delete_version_after, meta.custom_metadata],
        [0, 5, "3h25m19s", { n: "3", owner: "jdoe" }]
      )
      assert.strictEqual((await call(sim, "GET", "secret/data/new")).status, 404)
      assert.strictEqual((await call(sim, "POST", "secret/metadata/nothing", { body: {} })).status, 204)
      assert.strictEqual((await call(sim, "GET", "secret/metadata/nothing")).status, 404)

      await call(sim, "POST", "secret/config", { body: { cas_required: true } })
      const warned = await call(sim, "POST", "secret/metadata/new", { body: { cas_required: false } })
      assert.strictEqual(warned.status, 200)
      assert.deepStrictEqual(warned.json.warnings, [
        "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored."
      ])
      const invalid = await call(sim, "POST", "secret/metadata/new", { body: { custom_metadata: { empty: "" } } })
      assert.strictEqual(invalid.status, 400)
      assert.match(
        invalid.json.errors[0],
        /^1 error occurred:\n\t\* custom_metadata validation failed: length of value/
      )
    }))

  it("patches metadata: custom_metadata keys merge and null removes one; an absent key is 404", () =>
    withVault({}, async (sim) => {
      await call(sim, "POST", "secret/metadata/p", { body: { custom_metadata: { a: "1", b: "2" } } })
      const patched = await call(sim, "PATCH", "secret/metadata/p", {
        body: { max_versions: 4, custom_metadata: { b: null, c: "3" } }
      })
      assert.strictEqual(patched.status, 204)
      const meta = (await call(sim, "GET", "secret/metadata/p")).json.data
      assert.deepStrictEqual([meta.max_versions, meta.custom_metadata], [4, { a: "1", c: "3" }])
      const absent = await call(sim, "PATCH", "secret/metadata/absent", { body: { max_versions: 1 } })
      assert.deepStrictEqual([absent.status, absent.text], [404, ""])
      sim.state.writeSecret("secret", "p", { x: 1 })
      const data = await call(sim, "GET", "secret/data/p")
      assert.deepStrictEqual(data.json.data.metadata.custom_metadata, { a: "1", c: "3" })
    }))

  it("deletes a key's metadata and every version", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "gone", { a: 1 })
      assert.strictEqual((await call(sim, "DELETE", "secret/metadata/gone")).status, 204)
      assert.strictEqual((await call(sim, "GET", "secret/data/gone")).text, "{\"errors\":[]}\n")
      assert.strictEqual((await call(sim, "GET", "secret/metadata/gone")).status, 404)
    }))

  it("lists with GET ?list=true: names and folders (ending with /), sorted; nothing is 404 {errors:[]}", () =>
    withVault({}, async (sim) => {
      for (const path of ["openfaas/b", "openfaas/a", "openfaas/team/x", "other"]) {
        sim.state.writeSecret("secret", path, {})
      }
      const root = await call(sim, "GET", "secret/metadata/?list=true")
      assert.deepStrictEqual(root.json.data, { keys: ["openfaas/", "other"] })
      const folder = await call(sim, "GET", "secret/metadata/openfaas?list=true")
      assert.deepStrictEqual(folder.json.data, { keys: ["a", "b", "team/"] })
      const empty = await call(sim, "GET", "secret/metadata/nothing/?list=true")
      assert.deepStrictEqual([empty.status, empty.text], [404, "{\"errors\":[]}\n"])
      assert.strictEqual((await call(sim, "GET", "secret/metadata/?list=maybe")).status, 400)
      const soft = await call(sim, "DELETE", "secret/data/other")
      assert.strictEqual(soft.status, 204)
      assert.deepStrictEqual((await call(sim, "GET", "secret/metadata/?list=true")).json.data.keys, [
        "openfaas/",
        "other"
      ])
    }))

  it("treats the LIST verb exactly like GET ?list=true", () => {
    const input = (method: string, query: string) => ({
      method,
      path: "secret/metadata/openfaas",
      query: new URLSearchParams(query),
      headers: { "x-vault-token": "t" },
      body: ""
    })
    const viaVerb = buildLogicalRequest(input("LIST", ""), [])
    const viaQuery = buildLogicalRequest(input("GET", "list=true"), [])
    assert.isTrue(viaVerb.ok && viaQuery.ok)
    if (!viaVerb.ok || !viaQuery.ok) return
    assert.deepStrictEqual({ ...viaVerb.request, id: "" }, { ...viaQuery.request, id: "" })
    assert.strictEqual(viaVerb.request.operation, "list")
    assert.strictEqual(viaVerb.request.path, "secret/metadata/openfaas/")
  })

  it("reads subkeys: values replaced by null, empty maps as leaves, cut at depth", () =>
    withVault({}, async (sim) => {
      sim.state.writeSecret("secret", "s", { foo: "abc", bar: { baz: "def", deep: { x: 1 } }, quux: {} })
      const all = await call(sim, "GET", "secret/subkeys/s")
      assert.deepStrictEqual(all.json.data.subkeys, { bar: { baz: null, deep: { x: null } }, foo: null, quux: null })
      assert.strictEqual(all.json.data.metadata.version, 1)
      const shallow = await call(sim, "GET", "secret/subkeys/s?depth=2")
      assert.deepStrictEqual(shallow.json.data.subkeys.bar, { baz: null, deep: null })
      await call(sim, "DELETE", "secret/data/s")
      const deleted = await call(sim, "GET", "secret/subkeys/s")
      assert.deepStrictEqual([deleted.status, deleted.json.data.subkeys], [404, null])
      assert.strictEqual((await call(sim, "GET", "secret/subkeys/none")).status, 404)
    }))

  it("reads and writes the mount's config", () =>
    withVault({ kvMounts: ["kv"] }, async (sim) => {
      const before = await call(sim, "GET", "kv/config")
      assert.deepStrictEqual(before.json.data, { cas_required: false, delete_version_after: "0s", max_versions: 0 })
      const written = await call(sim, "POST", "kv/config", {
        body: { max_versions: 5, cas_required: false, delete_version_after: "3h25m19s" }
      })
      assert.strictEqual(written.status, 204)
      const after = await call(sim, "GET", "kv/config")
      assert.deepStrictEqual(after.json.data, {
        cas_required: false,
        delete_version_after: "3h25m19s",
        max_versions: 5
      })
      await call(sim, "POST", "kv/config", { body: { delete_version_after: -1 } })
      assert.strictEqual((await call(sim, "GET", "kv/config")).json.data.delete_version_after, "-1s")
      assert.strictEqual((await call(sim, "DELETE", "kv/config")).status, 405)
      assert.strictEqual((await call(sim, "GET", "secret/config")).status, 404)
    }))
})
