/**
 * `faas-nomad start` as a user runs it, against the Nomad, Consul and Vault
 * simulators: the whole API through HTTP, invocations reaching functions the
 * simulated Nomad runs, dependencies failing and coming back.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "../sim/consul/ConsulSimulator.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { VaultSimulator } from "../sim/vault/VaultSimulator.ts"
import { fetchAt, startCli } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"
import { json } from "../support/http.ts"
import { startOtlpReceiver } from "../support/otlpReceiver.ts"
import { echoDriver } from "../support/simDriver.ts"

describe("faas-nomad start against the simulators", () => {
  it.live("deploy, list, get, invoke, scale, update, secrets and delete, with Nomad's own service discovery", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped({ driver: echoDriver() })
      const provider = yield* startCli(["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"], {
        NOMAD_ADDR: nomad.url
      })
      const base = provider.url
      assert.strictEqual((yield* fetchAt(base, "GET", "/healthz")).status, 200)
      assert.deepStrictEqual(json(yield* fetchAt(base, "GET", "/system/namespaces")), ["default"])

      const deployment = {
        service: "hello",
        image: "functions/alpine:latest",
        envProcess: "cat",
        labels: { team: "a" }
      }
      assert.strictEqual((yield* fetchAt(base, "POST", "/system/functions", deployment)).status, 202)
      assert.strictEqual((yield* fetchAt(base, "POST", "/system/functions", deployment)).status, 409)
      const registered = nomad.state.jobs().find((j) => j["ID"] === "OpenFaaS-hello")!
      assert.strictEqual(
        (registered["TaskGroups"] as Array<{ Services: Array<{ Provider: string }> }>)[0]!.Services[0]!.Provider,
        "nomad"
      )

      const listed = json<Array<{ name: string; replicas: number }>>(yield* fetchAt(base, "GET", "/system/functions"))
      assert.deepStrictEqual(listed.map((f) => [f.name, f.replicas]), [["hello", 1]])
      const ready = yield* eventually(
        Effect.map(fetchAt(base, "GET", "/system/function/hello"), json),
        (status: { availableReplicas: number; labels: Record<string, string> }) => status.availableReplicas === 1
      )
      assert.deepStrictEqual(ready.labels, { team: "a", faas_function: "hello" })

      const invoked = yield* fetchAt(base, "POST", "/function/hello/sub/path?q=1", "payload")
      assert.strictEqual(invoked.status, 200)
      assert.deepStrictEqual(
        [json(invoked).method, json(invoked).url, json(invoked).body],
        ["POST", "/sub/path?q=1", "payload"]
      )
      assert.strictEqual(json(invoked).env.fprocess, "cat")

      // Logs come from Nomad's allocation log API, one NDJSON message per line, each stream oldest first.
      // stdout and stderr are separate files read side by side: their lines interleave as they arrive.
      const alloc = nomad.state.allocations().find((a) => a.JobID === "OpenFaaS-hello" && a.DesiredStatus === "run")!
      nomad.state.appendLog(alloc.ID, "hello", "stdout", "first line\n")
      nomad.state.appendLog(alloc.ID, "hello", "stdout", "second line\n")
      nomad.state.appendLog(alloc.ID, "hello", "stderr", "on stderr\n")
      const logs = yield* fetchAt(base, "GET", "/system/logs?name=hello&tail=10")
      assert.strictEqual(logs.status, 200)
      const messages = logs.text.trim().split("\n").map((line) => JSON.parse(line))
      const described = messages.map((m) => [m.name, m.namespace, m.instance, m.text])
      assert.deepStrictEqual(described.filter((m) => m[3] !== "on stderr"), [
        ["hello", "default", alloc.ID, "first line"],
        ["hello", "default", alloc.ID, "second line"]
      ])
      assert.deepStrictEqual(described.filter((m) => m[3] === "on stderr"), [[
        "hello",
        "default",
        alloc.ID,
        "on stderr"
      ]])
      assert.strictEqual((yield* fetchAt(base, "GET", "/system/logs?name=nobody")).status, 404)

      assert.strictEqual(
        (yield* fetchAt(base, "POST", "/system/scale-function/hello", { serviceName: "hello", replicas: 3 })).status,
        202
      )
      assert.strictEqual(json(yield* fetchAt(base, "GET", "/system/function/hello")).replicas, 3)
      yield* eventually(
        Effect.map(fetchAt(base, "GET", "/system/function/hello"), json),
        (s: { availableReplicas: number }) => s.availableReplicas === 3
      )

      assert.strictEqual(
        (yield* fetchAt(base, "POST", "/system/secrets", { name: "api-key", value: "s3cr3t" })).status,
        201
      )
      assert.deepStrictEqual(json(yield* fetchAt(base, "GET", "/system/secrets")), [{
        name: "api-key",
        namespace: "default"
      }])
      // The autoscaler keeps its lease and load snapshots in variables of its own, under faas-nomad/.
      assert.strictEqual(nomad.state.variables().filter((v) => !v.Path.startsWith("faas-nomad/")).length, 1)

      const update = { ...deployment, image: "functions/alpine:3.20", secrets: ["api-key"] }
      assert.strictEqual((yield* fetchAt(base, "PUT", "/system/functions", update)).status, 202)
      const updated = json(yield* fetchAt(base, "GET", "/system/function/hello"))
      assert.deepStrictEqual(
        [updated.image, updated.replicas, updated.secrets],
        ["functions/alpine:3.20", 3, ["api-key"]]
      )
      assert.strictEqual(
        (yield* fetchAt(base, "PUT", "/system/functions", { ...deployment, service: "ghost" })).status,
        404
      )

      assert.strictEqual((yield* fetchAt(base, "DELETE", "/system/functions", { functionName: "hello" })).status, 202)
      assert.strictEqual((yield* fetchAt(base, "GET", "/system/function/hello")).status, 404)
      assert.strictEqual((yield* fetchAt(base, "DELETE", "/system/functions", { functionName: "hello" })).status, 404)
      assert.strictEqual(nomad.state.jobs().length, 0)
    }))

  it.live("with Consul discovery and Vault secrets; Nomad down is a 503 naming it, and the provider recovers", () =>
    Effect.gen(function*() {
      const consul = yield* ConsulSimulator.scoped()
      const nomad = yield* NomadSimulator.scoped({ driver: echoDriver(), consul: consul.state })
      const vault = yield* VaultSimulator.scoped()
      const provider = yield* startCli(["start"], {
        NOMAD_ADDR: nomad.url,
        CONSUL_HTTP_ADDR: consul.url.replace("http://", ""),
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: "root",
        api_timeout: "1s"
      })
      const base = provider.url
      assert.strictEqual(
        (yield* fetchAt(base, "POST", "/system/secrets", { name: "db", value: "hunter2" })).status,
        201
      )
      assert.deepStrictEqual(vault.state.readSecret("secret", "openfaas/default/db"), { value: "hunter2" })
      const deployed = yield* fetchAt(base, "POST", "/system/functions", {
        service: "worker",
        image: "x:1",
        secrets: ["db"]
      })
      assert.strictEqual(deployed.status, 202)
      yield* eventually(Effect.map(fetchAt(base, "GET", "/function/worker/ping"), (r) => r.status), (s) => s === 200)
      assert.isTrue(consul.server.count(/health\/service\/openfaas-worker/) >= 1)

      yield* Effect.promise(() => nomad.server.down())
      const down = yield* fetchAt(base, "GET", "/system/functions")
      assert.strictEqual(down.status, 503)
      assert.include(down.text, "nomad")
      // Invocations do not need Nomad: discovery answers from Consul.
      assert.strictEqual((yield* fetchAt(base, "GET", "/function/worker/ping")).status, 200)
      yield* Effect.promise(() => nomad.server.up())
      assert.strictEqual((yield* fetchAt(base, "GET", "/system/functions")).status, 200)
      assert.include(provider.output(), "Nomad at")
      assert.notInclude(provider.output(), "root")
    }))

  it.live("a start with Nomad unreachable says so in one JSON log line and serves; a deploy's trace reaches Nomad", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.promise(() => nomad.server.down())
      const provider = yield* startCli([
        "start",
        "--service-discovery",
        "nomad",
        "--secrets-backend",
        "nomad",
        "--log-format",
        "json"
      ], {
        NOMAD_ADDR: nomad.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "20",
        api_timeout: "1s"
      })
      yield* eventually(Effect.sync(provider.output), (out) => out.includes("is not reachable"))
      assert.match(provider.output(), /Nomad at http:\/\/127\.0\.0\.1:\d+ is not reachable \(.*ECONNREFUSED.*\)/)
      // --log-format json: every line the process writes is one JSON object, for a log shipper to read.
      const lines = provider.output().trim().split("\n")
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line)
      yield* Effect.promise(() => nomad.server.up())
      assert.strictEqual(
        (yield* fetchAt(provider.url, "POST", "/system/functions", { service: "traced", image: "x:1" })).status,
        202
      )
      const server = yield* receiver.span((s) => s.kind === 2 && s.name === "POST /system/functions")
      const client = yield* receiver.span((s) =>
        s.kind === 3 && s.traceId === server.traceId && s.attributes["http.request.method"] === "PUT"
      )
      assert.isTrue(String(client.attributes["url.full"]).includes("/v1/jobs"))
      const sent = nomad.server.requests.find((r) => r.method === "PUT" && r.path === "/v1/jobs")
      assert.match(String(sent?.headers["traceparent"]), new RegExp(`^00-${server.traceId}-`))
    }))
})
