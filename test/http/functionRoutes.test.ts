import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { FunctionExists, FunctionNotFound, NamespaceNotFound } from "../../src/domain/errors.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { deploymentOf as deployment, fnName, provider } from "../support/client.ts"
import { call, json } from "../support/http.ts"
import { settled, testApp } from "../support/testApp.ts"

layer(testApp(), { excludeTestServices: true })("function routes", (it) => {
  it.effect("deploy answers 202, and the status echoes the deployment as it was sent", () =>
    Effect.gen(function*() {
      const sent = deployment("echo-back", {
        image: "docker.io/functions/alpine:3.20@sha256:abc",
        envProcess: "cat",
        envVars: { GREETING: "hi there" },
        labels: { team: "a", "com.example/x": "1" },
        annotations: { note: "line one\nline two\n  indented", empty: "" },
        limits: { memory: "256Mi", cpu: "500m" },
        requests: { memory: "64Mi" },
        constraints: ["node.datacenter == dc1"],
        secrets: [],
        readOnlyRootFilesystem: true
      })
      const client = yield* provider
      yield* client.functions.deploy({ query: {}, payload: sent })
      yield* settled
      const status = yield* client.functions.status({ query: {}, params: { name: fnName("echo-back") } })
      assert.deepStrictEqual(
        { ...status, createdAt: "set" },
        {
          name: "echo-back",
          image: "docker.io/functions/alpine:3.20@sha256:abc",
          namespace: "default",
          envProcess: "cat",
          envVars: { GREETING: "hi there" },
          constraints: ["node.datacenter == dc1"],
          labels: { team: "a", "com.example/x": "1", faas_function: "echo-back" },
          annotations: { note: "line one\nline two\n  indented", empty: "" },
          limits: { memory: "256Mi", cpu: "500m" },
          requests: { memory: "64Mi" },
          readOnlyRootFilesystem: true,
          invocationCount: 0,
          replicas: 1,
          availableReplicas: 1,
          createdAt: "set"
        }
      )
      assert.isTrue(!Number.isNaN(Date.parse(status.createdAt)))
    }))

  it.effect("labels and annotations are always objects; envVars is omitted when none were sent", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.functions.deploy({
        query: {},
        payload: deployment("bare", { labels: null, annotations: null, envVars: {} })
      })
      const status = yield* client.functions.status({ query: {}, params: { name: fnName("bare") } })
      assert.deepStrictEqual(status.labels, { faas_function: "bare" })
      assert.deepStrictEqual(status.annotations, {})
      assert.isFalse("envVars" in status)
      assert.isFalse("limits" in status)
      assert.isFalse("secrets" in status)
    }))

  it.effect("replicas start at com.openfaas.scale.min, at once, and become available", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.functions.deploy({
        query: {},
        payload: deployment("scaled-min", { labels: { "com.openfaas.scale.min": "3" } })
      })
      const before = yield* client.functions.status({ query: {}, params: { name: fnName("scaled-min") } })
      assert.strictEqual(before.replicas, 3)
      yield* settled
      const after = yield* client.functions.status({ query: {}, params: { name: fnName("scaled-min") } })
      assert.strictEqual(after.availableReplicas, 3)
    }))

  it.effect("deploying an existing function is 409", () =>
    Effect.gen(function*() {
      const client = yield* provider
      yield* client.functions.deploy({ query: {}, payload: deployment("twice") })
      const second = yield* Effect.flip(client.functions.deploy({ query: {}, payload: deployment("twice") }))
      assert.deepStrictEqual(second, new FunctionExists({ name: "twice", namespace: "default" }))
    }))

  it.effect("update of a missing function is 404; an update keeps the current count", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const missing = yield* Effect.flip(client.functions.update({ query: {}, payload: deployment("never-deployed") }))
      assert.deepStrictEqual(missing, new FunctionNotFound({ name: "never-deployed", namespace: "default" }))
      yield* client.functions.deploy({ query: {}, payload: deployment("updated") })
      yield* client.functions.scale({
        query: {},
        params: { name: fnName("updated") },
        payload: { serviceName: "updated", replicas: 4 }
      })
      yield* client.functions.update({
        query: {},
        payload: deployment("updated", { image: "ghcr.io/openfaas/figlet:v2", envProcess: "figlet" })
      })
      yield* settled
      const status = yield* client.functions.status({ query: {}, params: { name: fnName("updated") } })
      assert.strictEqual(status.image, "ghcr.io/openfaas/figlet:v2")
      assert.strictEqual(status.envProcess, "figlet")
      assert.strictEqual(status.replicas, 4)
      assert.strictEqual(status.availableReplicas, 4)
    }))

  it.effect("status of a missing function is 404, of an invalid name 400", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const missing = yield* Effect.flip(client.functions.status({ query: {}, params: { name: fnName("nobody") } }))
      assert.deepStrictEqual(missing, new FunctionNotFound({ name: "nobody", namespace: "default" }))
      const invalid = yield* call("GET", "/system/function/Not_A_Label")
      assert.strictEqual(invalid.status, 400)
      assert.include(invalid.text, "DNS-1123")
    }))

  it.effect("scale answers 202 and sets replicas at once, 0 included", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const name = fnName("scaler")
      yield* client.functions.deploy({ query: {}, payload: deployment("scaler") })
      yield* settled
      yield* client.functions.scale({ query: {}, params: { name }, payload: { serviceName: "scaler", replicas: 2 } })
      assert.strictEqual((yield* client.functions.status({ query: {}, params: { name } })).replicas, 2)
      yield* client.functions.scale({ query: {}, params: { name }, payload: { serviceName: "scaler", replicas: 0 } })
      assert.strictEqual((yield* client.functions.status({ query: {}, params: { name } })).replicas, 0)
      yield* settled
      const idle = yield* client.functions.status({ query: {}, params: { name } })
      assert.strictEqual(idle.availableReplicas, 0)
      const listed = yield* client.functions.list({ query: {} })
      assert.isTrue(listed.some((f) => f.name === "scaler"))
    }))

  it.effect("scale of a missing function is 404; bad replicas are 400 naming the field", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const ghost = yield* Effect.flip(
        client.functions.scale({ query: {}, params: { name: fnName("ghost") }, payload: { replicas: 1 } })
      )
      assert.deepStrictEqual(ghost, new FunctionNotFound({ name: "ghost", namespace: "default" }))
      yield* client.functions.deploy({ query: {}, payload: deployment("scale-bad") })
      const negative = yield* call("POST", "/system/scale-function/scale-bad", { replicas: -1 })
      assert.strictEqual(negative.status, 400)
      assert.include(negative.text, "replicas")
      const missing = yield* call("POST", "/system/scale-function/scale-bad", { serviceName: "scale-bad" })
      assert.strictEqual(missing.status, 400)
      assert.include(missing.text, "replicas")
    }))

  it.effect("a scale body naming another function than the path is 400 naming both", () =>
    Effect.gen(function*() {
      yield* call("POST", "/system/functions", deployment("scale-named"))
      yield* settled
      const other = yield* call("POST", "/system/scale-function/scale-named", { serviceName: "other", replicas: 2 })
      assert.strictEqual(other.status, 400)
      assert.strictEqual(
        other.text,
        `serviceName: "other" in the body names another function than "scale-named" in the path\n`
      )
      assert.strictEqual(json(yield* call("GET", "/system/function/scale-named")).replicas, 1)
      // The same name, with its namespace, or empty (as Go clients send an unset field) is the same function.
      for (const serviceName of ["scale-named", "scale-named.default", ""]) {
        const same = yield* call("POST", "/system/scale-function/scale-named", { serviceName, replicas: 2 })
        assert.strictEqual(same.status, 202, serviceName)
      }
      const otherNamespace = yield* call("POST", "/system/scale-function/scale-named", {
        serviceName: "scale-named.team-a",
        replicas: 2
      })
      assert.strictEqual(otherNamespace.status, 400)
      assert.include(otherNamespace.text, `"scale-named.team-a" in the body`)
    }))

  it.effect("a name too long for a Nomad service under job_prefix: one rule, one message, whatever its length", () =>
    Effect.gen(function*() {
      for (const length of [55, 63, 64, 100]) {
        const refused = yield* call("POST", "/system/functions", deployment("a".repeat(length)))
        assert.strictEqual(refused.status, 400)
        assert.strictEqual(
          refused.text,
          `service: with job_prefix "OpenFaaS-" a function name can have at most 54 characters ` +
            "(Nomad service names are limited to 63)\n"
        )
      }
      assert.strictEqual((yield* call("POST", "/system/functions", deployment("a".repeat(54)))).status, 202)
      // A longer name in a path names no function there can be.
      assert.strictEqual((yield* call("GET", `/system/function/${"a".repeat(64)}`)).status, 404)
    }))

  it.effect("delete answers 202 and the function is gone; deleting a missing function is 404", () =>
    Effect.gen(function*() {
      const client = yield* provider
      const name = fnName("doomed")
      yield* client.functions.deploy({ query: {}, payload: deployment("doomed") })
      yield* settled
      yield* client.functions.delete({ query: {}, payload: { functionName: name } })
      const gone = new FunctionNotFound({ name: "doomed", namespace: "default" })
      assert.deepStrictEqual(yield* Effect.flip(client.functions.status({ query: {}, params: { name } })), gone)
      const listed = yield* client.functions.list({ query: {} })
      assert.isFalse(listed.some((f) => f.name === "doomed"))
      assert.deepStrictEqual(
        yield* Effect.flip(client.functions.delete({ query: {}, payload: { functionName: name } })),
        gone
      )
    }))

  it.effect("bad input is a 400 listing every problem, never a 5xx", () =>
    Effect.gen(function*() {
      const invalidJson = yield* call("POST", "/system/functions", "{not json")
      assert.strictEqual(invalidJson.status, 400)
      assert.include(invalidJson.text, "not valid JSON")
      const empty = yield* call("POST", "/system/functions", "")
      assert.strictEqual(empty.status, 400)
      const problems = yield* call("POST", "/system/functions", {
        service: "Bad_Name",
        image: "",
        envVars: { n: 1 },
        labels: "x",
        limits: { memory: "lots" }
      })
      assert.strictEqual(problems.status, 400)
      for (const field of ["service:", "image:", "envVars.n:", "labels:"]) assert.include(problems.text, field)
      const translation = yield* call(
        "POST",
        "/system/functions",
        deployment("bad-limits", { limits: { memory: "lots", cpu: "fast" }, constraints: ["gibberish"] })
      )
      assert.strictEqual(translation.status, 400)
      for (const field of ["limits.memory", "limits.cpu", "constraints"]) assert.include(translation.text, field)
      // What no process environment can carry is refused at deploy and at update, not when a process starts.
      for (const method of ["POST", "PUT"] as const) {
        if (method === "PUT") {
          assert.strictEqual((yield* call("POST", "/system/functions", deployment("env"))).status, 202)
        }
        const nul = yield* call(
          method,
          "/system/functions",
          deployment(method === "POST" ? "bad-env" : "env", {
            envVars: { "A\u0000B": "x", C: "y\u0000" },
            envProcess: "cat\u0000"
          })
        )
        assert.strictEqual(nul.status, 400, nul.text)
        assert.deepStrictEqual(nul.text.trim().split("\n").length, 3, nul.text)
        assert.include(nul.text, `the name "A\\u0000B" must not contain NUL`)
      }
      assert.strictEqual((yield* call("GET", "/system/function/bad-env")).status, 404)
      assert.notProperty(json(yield* call("GET", "/system/function/env")), "envProcess")
      const array = yield* call("DELETE", "/system/functions", [])
      assert.strictEqual(array.status, 400)
    }))

  it.effect("namespaces: the default is listed; an unknown one is a 4xx naming it", () =>
    Effect.gen(function*() {
      const client = yield* provider
      assert.include(yield* client.system.namespaces(), "default")
      const unknown = yield* Effect.flip(client.functions.list({ query: { namespace: "elsewhere" } }))
      assert.deepStrictEqual(unknown, new NamespaceNotFound({ namespace: "elsewhere" }))
      const invalid = yield* call("GET", "/system/functions?namespace=no%2Fslashes")
      assert.strictEqual(invalid.status, 400)
    }))

  it.effect("a namespace labelled openfaas=true holds its own functions; the query wins over the body", () =>
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      const client = yield* provider
      const name = fnName("shared")
      yield* cluster.createNamespace("team-a", { openfaas: "true" })
      yield* cluster.createNamespace("not-ours", {})
      assert.deepStrictEqual(yield* client.system.namespaces(), ["default", "team-a"])
      yield* client.functions.deploy({
        query: { namespace: "team-a" },
        payload: deployment("shared", { namespace: "default" })
      })
      yield* client.functions.deploy({ query: {}, payload: deployment("shared") })
      const inTeam = yield* client.functions.status({ params: { name }, query: { namespace: "team-a" } })
      assert.strictEqual(inTeam.namespace, "team-a")
      const teamList = yield* client.functions.list({ query: { namespace: "team-a" } })
      assert.deepStrictEqual(teamList.map((f) => f.name), ["shared"])
      yield* client.functions.delete({ query: {}, payload: { functionName: name, namespace: "team-a" } })
      assert.deepStrictEqual(
        yield* Effect.flip(client.functions.status({ params: { name }, query: { namespace: "team-a" } })),
        new FunctionNotFound({ name: "shared", namespace: "team-a" })
      )
      assert.strictEqual((yield* client.functions.status({ query: {}, params: { name } })).namespace, "default")
      assert.deepStrictEqual(
        yield* Effect.flip(client.functions.list({ query: { namespace: "not-ours" } })),
        new NamespaceNotFound({ namespace: "not-ours" })
      )
    }))

  it.effect("info, health, logs and secrets answer", () =>
    Effect.gen(function*() {
      const info = yield* (yield* provider).system.info()
      assert.strictEqual(info.provider, "faas-nomad")
      assert.strictEqual(info.orchestration, "nomad")
      assert.isTrue(info.version.sha.length > 0 && info.version.release.length > 0)
      assert.strictEqual((yield* call("GET", "/healthz")).status, 200)
      assert.strictEqual((yield* call("HEAD", "/healthz")).status, 200)
      assert.strictEqual((yield* call("GET", "/system/logs?name=x")).status, 404)
      assert.strictEqual((yield* call("GET", "/system/secrets")).status, 200)
      assert.strictEqual((yield* call("GET", "/system/nothing-here")).status, 404)
    }))
})

describe("request limits", () => {
  layer(testApp({ env: { max_body_size: "1Ki" } }), { excludeTestServices: true })("small body limit", (it) => {
    it.effect("a body over max_body_size is 413", () =>
      Effect.gen(function*() {
        const big = deployment("big", { annotations: { blob: "x".repeat(4096) } })
        const answer = yield* call("POST", "/system/functions", big)
        assert.strictEqual(answer.status, 413)
        assert.include(answer.text, "1024")
      }))
  })
})
