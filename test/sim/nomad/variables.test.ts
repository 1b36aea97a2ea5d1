import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

const put = (path: string, items: Record<string, string>, query = "", namespace?: string) =>
  call(sim, "PUT", `/v1/var/${path}${query}`, {
    body: { ...(namespace === undefined ? {} : { Namespace: namespace }), Path: path, Items: items }
  })

describe("variables", () => {
  it("writes, reads back with metadata, lists metadata only, and deletes with 204", async () => {
    const written = await put("openfaas/fn/api-key", { value: "s3cret" })
    expect(written.status).toBe(200)
    expect(Object.keys(written.json)).toEqual([
      "Namespace",
      "Path",
      "CreateIndex",
      "CreateTime",
      "ModifyIndex",
      "ModifyTime",
      "Items"
    ])
    expect(written.json).toMatchObject({
      Namespace: "default",
      Path: "openfaas/fn/api-key",
      Items: { value: "s3cret" }
    })
    expect(written.headers.get("x-nomad-index")).toBe(String(written.json.ModifyIndex))

    const read = await call(sim, "GET", "/v1/var/openfaas/fn/api-key")
    expect(read.json).toEqual(written.json)
    expect(read.headers.get("x-nomad-index")).toBe(String(written.json.ModifyIndex))

    await put("openfaas/other/x", { a: "b" })
    await put("elsewhere", { a: "b" })
    const list = await call(sim, "GET", "/v1/vars?prefix=openfaas/")
    expect(list.json.map((v: { Path: string }) => v.Path)).toEqual(["openfaas/fn/api-key", "openfaas/other/x"])
    expect(list.json[0]).not.toHaveProperty("Items")

    const removed = await call(sim, "DELETE", "/v1/var/openfaas/fn/api-key")
    expect({ status: removed.status, text: removed.text }).toEqual({ status: 204, text: "" })
    expect(Number(removed.headers.get("x-nomad-index"))).toBeGreaterThan(0)
    const gone = await call(sim, "GET", "/v1/var/openfaas/fn/api-key")
    expect({ status: gone.status, text: gone.text }).toEqual({ status: 404, text: "variable not found" })
  })

  it("creates only what does not exist with cas=0, and answers a conflict with 409 and the variable", async () => {
    const created = await put("fn/key", { v: "1" }, "?cas=0")
    expect(created.status).toBe(200)
    const conflict = await put("fn/key", { v: "2" }, "?cas=0")
    expect(conflict.status).toBe(409)
    expect(conflict.json).toEqual(created.json)
    expect(conflict.headers.get("x-nomad-index")).toBe(String(created.json.ModifyIndex))
  })

  it("updates only at the current ModifyIndex, keeping the create index", async () => {
    const created = await put("fn/key", { v: "1" })
    const stale = await put("fn/key", { v: "2" }, `?cas=${created.json.ModifyIndex + 5}`)
    expect(stale.status).toBe(409)
    expect(stale.json.Items).toEqual({ v: "1" })
    const updated = await put("fn/key", { v: "2" }, `?cas=${created.json.ModifyIndex}`)
    expect(updated.status).toBe(200)
    expect(updated.json.CreateIndex).toBe(created.json.CreateIndex)
    expect(updated.json.ModifyIndex).toBeGreaterThan(created.json.ModifyIndex)
  })

  it("answers a conflict on a missing variable with a zero one, its empty Items left out (omitempty since 1.7)", async () => {
    const conflict = await put("fn/none", { v: "1" }, "?cas=3")
    expect(conflict.status).toBe(409)
    expect(conflict.json).toEqual({
      Namespace: "default",
      Path: "fn/none",
      CreateIndex: 0,
      CreateTime: 0,
      ModifyIndex: 0,
      ModifyTime: 0
    })
    const deleteMissing = await call(sim, "DELETE", "/v1/var/fn/none?cas=3")
    expect(deleteMissing.status).toBe(409)
    expect((await call(sim, "DELETE", "/v1/var/fn/none?cas=0")).status).toBe(204)
  })

  it("deletes with cas only at the current index", async () => {
    const created = await put("fn/key", { v: "1" })
    const stale = await call(sim, "DELETE", `/v1/var/fn/key?cas=${created.json.ModifyIndex + 1}`)
    expect(stale.status).toBe(409)
    expect(stale.json.ModifyIndex).toBe(created.json.ModifyIndex)
    expect((await call(sim, "DELETE", `/v1/var/fn/key?cas=${created.json.ModifyIndex}`)).status).toBe(204)
  })

  it("keeps namespaces apart and lists them all with *", async () => {
    sim.state.createNamespace("team")
    await put("fn/key", { v: "team" }, "", "team")
    await put("fn/key", { v: "default" })
    expect((await call(sim, "GET", "/v1/var/fn/key?namespace=team")).json.Items).toEqual({ v: "team" })
    expect((await call(sim, "GET", "/v1/var/fn/key")).json.Items).toEqual({ v: "default" })
    const all = await call(sim, "GET", "/v1/vars?namespace=*")
    expect(all.json.map((v: { Namespace: string }) => v.Namespace)).toEqual(["default", "team"])
  })

  it("refuses what Nomad refuses", async () => {
    const expectText = async (answer: Promise<{ status: number; text: string }>, status: number, text: string) => {
      const { status: s, text: t } = await answer
      expect({ status: s, text: t }).toEqual({ status, text })
    }
    await expectText(put("fn/key", {}), 400, "variable missing required Items object")
    await expectText(call(sim, "PUT", "/v1/var/fn/key"), 400, "Request body is empty")
    await expectText(
      put("fn/key", { v: "1" }, "?cas=x"),
      400,
      `can not parse cas: strconv.ParseUint: parsing "x": invalid syntax`
    )
    await expectText(
      call(sim, "PUT", "/v1/var/fn/key", { body: { Items: { v: 1 } } }),
      400,
      "json: cannot unmarshal number into Go struct field VariableDecrypted.Items of type string"
    )
    // Since 1.7 `canonicalizeAndValidate` codes these 400, and `Apply` codes them again: one prefix stays.
    await expectText(put("bad path", { v: "1" }), 400, `RPC Error:: 400,invalid path "bad path"`)
    await expectText(
      put("nomad", { v: "1" }),
      400,
      `RPC Error:: 400,"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", "nomad/sentinel", or below`
    )
    await expectText(
      put("fn/key", { v: "x".repeat(65_536) }),
      400,
      "RPC Error:: 400,variables are limited to 64KiB in total size"
    )
    await expectText(
      put("fn/key", { v: "1" }, "?namespace=*"),
      400,
      `RPC Error:: 400,can not target wildcard ("*")namespace`
    )
    await expectText(call(sim, "GET", "/v1/var/"), 400, "missing variable path")
    await expectText(call(sim, "PATCH", "/v1/var/fn/key"), 400, "Invalid method")
    await expectText(call(sim, "POST", "/v1/vars"), 405, "Invalid method")
  })
})
