import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { call, json } from "../support/http.ts"
import { settled, testApp } from "../support/testApp.ts"

const deployment = (service: string, extra: Record<string, unknown> = {}) => ({
  service,
  image: "ghcr.io/openfaas/figlet:latest",
  ...extra
})

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
      const deployed = yield* call("POST", "/system/functions", sent)
      assert.strictEqual(deployed.status, 202)
      yield* settled
      const status = json(yield* call("GET", "/system/function/echo-back"))
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
      yield* call("POST", "/system/functions", deployment("bare", { labels: null, annotations: null, envVars: {} }))
      const status = json(yield* call("GET", "/system/function/bare"))
      assert.deepStrictEqual(status.labels, { faas_function: "bare" })
      assert.deepStrictEqual(status.annotations, {})
      assert.isFalse("envVars" in status)
      assert.isFalse("limits" in status)
      assert.isFalse("secrets" in status)
    }))

  it.effect("replicas start at com.openfaas.scale.min, at once, and become available", () =>
    Effect.gen(function*() {
      yield* call("POST", "/system/functions", deployment("scaled-min", { labels: { "com.openfaas.scale.min": "3" } }))
      const before = json(yield* call("GET", "/system/function/scaled-min"))
      assert.strictEqual(before.replicas, 3)
      yield* settled
      const after = json(yield* call("GET", "/system/function/scaled-min"))
      assert.strictEqual(after.availableReplicas, 3)
    }))

  it.effect("deploying an existing function is 409", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("POST", "/system/functions", deployment("twice"))).status, 202)
      const second = yield* call("POST", "/system/functions", deployment("twice"))
      assert.strictEqual(second.status, 409)
      assert.include(second.text, "already exists")
    }))

  it.effect("update of a missing function is 404; an update keeps the current count", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("PUT", "/system/functions", deployment("never-deployed"))).status, 404)
      yield* call("POST", "/system/functions", deployment("updated"))
      const scaled = yield* call("POST", "/system/scale-function/updated", { serviceName: "updated", replicas: 4 })
      assert.strictEqual(scaled.status, 202)
      const put = yield* call(
        "PUT",
        "/system/functions",
        deployment("updated", { image: "ghcr.io/openfaas/figlet:v2", envProcess: "figlet" })
      )
      assert.strictEqual(put.status, 202)
      yield* settled
      const status = json(yield* call("GET", "/system/function/updated"))
      assert.strictEqual(status.image, "ghcr.io/openfaas/figlet:v2")
      assert.strictEqual(status.envProcess, "figlet")
      assert.strictEqual(status.replicas, 4)
      assert.strictEqual(status.availableReplicas, 4)
    }))

  it.effect("status of a missing function is 404, of an invalid name 400", () =>
    Effect.gen(function*() {
      const missing = yield* call("GET", "/system/function/nobody")
      assert.strictEqual(missing.status, 404)
      assert.include(missing.text, `"nobody"`)
      const invalid = yield* call("GET", "/system/function/Not_A_Label")
      assert.strictEqual(invalid.status, 400)
      assert.include(invalid.text, "DNS-1123")
    }))

  it.effect("scale answers 202 and sets replicas at once, 0 included", () =>
    Effect.gen(function*() {
      yield* call("POST", "/system/functions", deployment("scaler"))
      yield* settled
      const up = yield* call("POST", "/system/scale-function/scaler", { serviceName: "scaler", replicas: 2 })
      assert.strictEqual(up.status, 202)
      assert.strictEqual(json(yield* call("GET", "/system/function/scaler")).replicas, 2)
      yield* call("POST", "/system/scale-function/scaler", { serviceName: "scaler", replicas: 0 })
      assert.strictEqual(json(yield* call("GET", "/system/function/scaler")).replicas, 0)
      yield* settled
      const idle = json(yield* call("GET", "/system/function/scaler"))
      assert.strictEqual(idle.availableReplicas, 0)
      const listed = json<Array<{ name: string }>>(yield* call("GET", "/system/functions"))
      assert.isTrue(listed.some((f) => f.name === "scaler"))
    }))

  it.effect("scale of a missing function is 404; bad replicas are 400 naming the field", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("POST", "/system/scale-function/ghost", { replicas: 1 })).status, 404)
      yield* call("POST", "/system/functions", deployment("scale-bad"))
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
      yield* call("POST", "/system/functions", deployment("doomed"))
      yield* settled
      const deleted = yield* call("DELETE", "/system/functions", { functionName: "doomed" })
      assert.strictEqual(deleted.status, 202)
      assert.strictEqual((yield* call("GET", "/system/function/doomed")).status, 404)
      const listed = json<Array<{ name: string }>>(yield* call("GET", "/system/functions"))
      assert.isFalse(listed.some((f) => f.name === "doomed"))
      assert.strictEqual((yield* call("DELETE", "/system/functions", { functionName: "doomed" })).status, 404)
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
      const array = yield* call("DELETE", "/system/functions", [])
      assert.strictEqual(array.status, 400)
    }))

  it.effect("namespaces: the default is listed; an unknown one is a 4xx naming it", () =>
    Effect.gen(function*() {
      assert.include(json<Array<string>>(yield* call("GET", "/system/namespaces")), "default")
      const unknown = yield* call("GET", "/system/functions?namespace=elsewhere")
      assert.strictEqual(unknown.status, 400)
      assert.include(unknown.text, `"elsewhere"`)
      const invalid = yield* call("GET", "/system/functions?namespace=no%2Fslashes")
      assert.strictEqual(invalid.status, 400)
    }))

  it.effect("a namespace labelled openfaas=true holds its own functions; the query wins over the body", () =>
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      yield* cluster.createNamespace("team-a", { openfaas: "true" })
      yield* cluster.createNamespace("not-ours", {})
      assert.deepStrictEqual(json(yield* call("GET", "/system/namespaces")), ["default", "team-a"])
      const intoTeam = yield* call(
        "POST",
        "/system/functions?namespace=team-a",
        deployment("shared", { namespace: "default" })
      )
      assert.strictEqual(intoTeam.status, 202)
      assert.strictEqual((yield* call("POST", "/system/functions", deployment("shared"))).status, 202)
      const inTeam = json(yield* call("GET", "/system/function/shared?namespace=team-a"))
      assert.strictEqual(inTeam.namespace, "team-a")
      const teamList = json<Array<{ name: string }>>(yield* call("GET", "/system/functions?namespace=team-a"))
      assert.deepStrictEqual(teamList.map((f) => f.name), ["shared"])
      const removed = yield* call("DELETE", "/system/functions", { functionName: "shared", namespace: "team-a" })
      assert.strictEqual(removed.status, 202)
      assert.strictEqual((yield* call("GET", "/system/function/shared?namespace=team-a")).status, 404)
      assert.strictEqual((yield* call("GET", "/system/function/shared")).status, 200)
      assert.strictEqual((yield* call("GET", "/system/functions?namespace=not-ours")).status, 400)
    }))

  it.effect("info, health, logs and secrets answer", () =>
    Effect.gen(function*() {
      const info = json(yield* call("GET", "/system/info"))
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
