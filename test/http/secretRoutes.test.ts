import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { call, json } from "../support/http.ts"
import { testApp } from "../support/testApp.ts"

layer(testApp(), { excludeTestServices: true })("/system/secrets", (it) => {
  it.effect("create 201, again 409; update 200, missing 404; delete 200, missing 404", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("POST", "/system/secrets", { name: "api-key", value: "s3cr3t" })).status, 201)
      const again = yield* call("POST", "/system/secrets", { name: "api-key", value: "x" })
      assert.strictEqual(again.status, 409)
      assert.include(again.text, "api-key")
      assert.strictEqual((yield* call("PUT", "/system/secrets", { name: "api-key", value: "rotated" })).status, 200)
      assert.strictEqual((yield* call("PUT", "/system/secrets", { name: "ghost", value: "x" })).status, 404)
      assert.strictEqual((yield* call("DELETE", "/system/secrets", { name: "api-key" })).status, 200)
      assert.strictEqual((yield* call("DELETE", "/system/secrets", { name: "api-key" })).status, 404)
    }))

  it.effect("listing gives names and namespaces, never values", () =>
    Effect.gen(function*() {
      yield* call("POST", "/system/secrets", { name: "listed-b", value: "very-secret-value" })
      yield* call("POST", "/system/secrets", { name: "listed-a", rawValue: Buffer.from("bytes").toString("base64") })
      const listed = yield* call("GET", "/system/secrets")
      assert.strictEqual(listed.status, 200)
      assert.notInclude(listed.text, "very-secret-value")
      const names = json<Array<{ name: string; namespace: string }>>(listed).filter((s) => s.name.startsWith("listed-"))
      assert.deepStrictEqual(names, [
        { name: "listed-a", namespace: "default" },
        { name: "listed-b", namespace: "default" }
      ])
    }))

  it.effect("the namespace comes from the query, then the body; unknown namespaces are refused", () =>
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      yield* cluster.createNamespace("vaulted", { openfaas: "true" })
      yield* call("POST", "/system/secrets?namespace=vaulted", { name: "ns-key", value: "1", namespace: "default" })
      yield* call("POST", "/system/secrets", { name: "ns-body", value: "1", namespace: "vaulted" })
      const inNamespace = json<Array<{ name: string }>>(yield* call("GET", "/system/secrets?namespace=vaulted"))
      assert.deepStrictEqual(inNamespace.map((s) => s.name), ["ns-body", "ns-key"])
      assert.isFalse(
        json<Array<{ name: string }>>(yield* call("GET", "/system/secrets")).some((s) => s.name === "ns-key")
      )
      assert.strictEqual((yield* call("GET", "/system/secrets?namespace=nowhere")).status, 400)
    }))

  it.effect("bad names, missing values, bad base64 and other methods are 4xx saying what is wrong", () =>
    Effect.gen(function*() {
      for (const name of ["../etc", "a/b", "", ".hidden"]) {
        const answer = yield* call("POST", "/system/secrets", { name, value: "x" })
        assert.strictEqual(answer.status, 400, name)
        assert.include(answer.text, "name:")
      }
      const noValue = yield* call("POST", "/system/secrets", { name: "empty" })
      assert.strictEqual(noValue.status, 400)
      assert.include(noValue.text, "value")
      const badBase64 = yield* call("POST", "/system/secrets", { name: "b64", rawValue: "not base64!" })
      assert.strictEqual(badBase64.status, 400)
      assert.include(badBase64.text, "rawValue")
      assert.strictEqual((yield* call("PATCH", "/system/secrets", { name: "x" })).status, 405)
    }))

  it.effect("a deployment names existing secrets only, and its job mounts them at /var/openfaas/secrets", () =>
    Effect.gen(function*() {
      const missing = yield* call("POST", "/system/functions", {
        service: "needs",
        image: "x:1",
        secrets: ["db-pass", "nope"]
      })
      assert.strictEqual(missing.status, 400)
      assert.include(missing.text, `"db-pass"`)
      assert.include(missing.text, `"nope"`)
      yield* call("POST", "/system/secrets", { name: "db-pass", value: "hunter2" })
      yield* call("POST", "/system/secrets", { name: "nope", value: "fine" })
      assert.strictEqual(
        (yield* call("POST", "/system/functions", { service: "needs", image: "x:1", secrets: ["db-pass", "nope"] }))
          .status,
        202
      )
      const nomad = yield* Nomad
      const task = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-needs")).TaskGroups![0]!.Tasks[0]!
      assert.deepStrictEqual(task.Templates?.map((t) => t.DestPath), [
        "secrets/openfaas/db-pass",
        "secrets/openfaas/nope"
      ])
      assert.deepStrictEqual(task.Config?.["volumes"], ["secrets/openfaas:/var/openfaas/secrets:ro"])
      assert.deepStrictEqual(json(yield* call("GET", "/system/function/needs")).secrets, ["db-pass", "nope"])
      const updated = yield* call("PUT", "/system/functions", { service: "needs", image: "x:2", secrets: ["gone"] })
      assert.strictEqual(updated.status, 400)
    }))
})
