import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { NamespaceNotFound, SecretExists, SecretNotFound } from "../../src/domain/errors.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { deploymentOf, provider, secretName } from "../support/client.ts"
import { call } from "../support/http.ts"
import { testApp } from "../support/testApp.ts"

layer(testApp(), { excludeTestServices: true })("/system/secrets", (it) => {
  it.effect("create 201, again 409; update 200, missing 404; delete 200, missing 404", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const name = secretName("api-key")
      yield* client.secrets.create({ query: {}, payload: { name, value: "s3cr3t" } })
      const again = yield* Effect.flip(client.secrets.create({ query: {}, payload: { name, value: "x" } }))
      assert.deepStrictEqual(again, new SecretExists({ name: "api-key", namespace: "default" }))
      yield* client.secrets.update({ query: {}, payload: { name, value: "rotated" } })
      const ghost = yield* Effect.flip(
        client.secrets.update({ query: {}, payload: { name: secretName("ghost"), value: "x" } })
      )
      assert.deepStrictEqual(ghost, new SecretNotFound({ name: "ghost", namespace: "default" }))
      yield* client.secrets.delete({ query: {}, payload: { name } })
      assert.deepStrictEqual(
        yield* Effect.flip(client.secrets.delete({ query: {}, payload: { name } })),
        new SecretNotFound({ name: "api-key", namespace: "default" })
      )
    }))

  it.effect("listing gives names and namespaces, never values", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.secrets.create({ query: {}, payload: { name: secretName("listed-b"), value: "very-secret-value" } })
      yield* client.secrets.create({
        query: {},
        payload: { name: secretName("listed-a"), rawValue: Buffer.from("bytes").toString("base64") }
      })
      const listed = yield* call("GET", "/system/secrets")
      assert.strictEqual(listed.status, 200)
      assert.notInclude(listed.text, "very-secret-value")
      const names = (yield* client.secrets.list({ query: {} })).filter((s) => s.name.startsWith("listed-"))
      assert.deepStrictEqual(names, [
        { name: "listed-a", namespace: "default" },
        { name: "listed-b", namespace: "default" }
      ])
    }))

  it.effect("the namespace comes from the query, then the body; unknown namespaces are refused", () =>
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      const client = yield* provider
      yield* cluster.createNamespace("vaulted", { openfaas: "true" })
      yield* client.secrets.create({
        query: { namespace: "vaulted" },
        payload: { name: secretName("ns-key"), value: "1", namespace: "default" }
      })
      yield* client.secrets.create({
        query: {},
        payload: { name: secretName("ns-body"), value: "1", namespace: "vaulted" }
      })
      const inNamespace = yield* client.secrets.list({ query: { namespace: "vaulted" } })
      assert.deepStrictEqual(inNamespace.map((s) => s.name), ["ns-body", "ns-key"])
      assert.isFalse((yield* client.secrets.list({ query: {} })).some((s) => s.name === "ns-key"))
      assert.deepStrictEqual(
        yield* Effect.flip(client.secrets.list({ query: { namespace: "nowhere" } })),
        new NamespaceNotFound({ namespace: "nowhere" })
      )
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
      const client = yield* provider
      yield* client.secrets.create({ query: {}, payload: { name: secretName("db-pass"), value: "hunter2" } })
      yield* client.secrets.create({ query: {}, payload: { name: secretName("nope"), value: "fine" } })
      yield* client.functions.deploy({
        query: {},
        payload: deploymentOf("needs", { image: "x:1", secrets: ["db-pass", "nope"] })
      })
      const nomad = yield* Nomad
      const task = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-needs")).TaskGroups![0]!.Tasks[0]!
      assert.deepStrictEqual(task.Templates?.map((t) => t.DestPath), [
        "secrets/openfaas/db-pass",
        "secrets/openfaas/nope"
      ])
      assert.deepStrictEqual(task.Config?.["volumes"], ["secrets/openfaas:/var/openfaas/secrets:ro"])
      assert.deepStrictEqual(
        (yield* client.functions.status({ query: {}, params: { name: deploymentOf("needs").service } })).secrets,
        ["db-pass", "nope"]
      )
      const updated = yield* call("PUT", "/system/functions", { service: "needs", image: "x:2", secrets: ["gone"] })
      assert.strictEqual(updated.status, 400)
    }))
})
