import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, indexOf, instance } from "./consulTestSupport.ts"

describe("the Consul simulator's errors and wire details", () => {
  it.live("answers bad arguments with the agent's 400 texts", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["/v1/health/service/", "Missing service name"],
        ["/v1/catalog/service/", "Missing service name"],
        ["/v1/health/checks/", "Missing service name"],
        ["/v1/health/state/", "Missing check state"],
        ["/v1/health/service/fn?wait=10", "Invalid wait time"],
        ["/v1/health/service/fn?wait=soon", "Invalid wait time"],
        ["/v1/health/service/fn?index=-1", "Invalid index"],
        ["/v1/health/service/fn?index=abc", "Invalid index"],
        ["/v1/health/service/fn?stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics."],
        ["/v1/health/service/fn?max_stale=x", `Invalid max_stale value "x"`],
        [
          "/v1/health/service/fn?ns=default",
          `Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature`
        ],
        [
          "/v1/catalog/services?partition=default",
          `Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature`
        ]
      ]
      for (const [path, text] of cases) {
        const answer = yield* get(sim, path)
        assert.deepStrictEqual([answer.status, answer.text], [400, text], path)
        assert.strictEqual(answer.headers.get("content-type"), "text/plain; charset=utf-8", path)
      }
    }))

  it.live("reports a bad ?passing only after the query, with its meta headers", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const answer = yield* get(sim, "/v1/health/service/fn?passing=maybe")
      assert.deepStrictEqual([answer.status, answer.text], [400, "Invalid value for ?passing"])
      assert.strictEqual(indexOf(answer), sim.state.index)
    }))

  it.live("cannot reach another datacenter; its own may be named", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped({ datacenter: "eu-1" })
      const other = yield* get(sim, "/v1/health/service/fn?dc=us-1")
      assert.deepStrictEqual([other.status, other.text], [500, "No path to datacenter"])
      assert.strictEqual((yield* get(sim, "/v1/health/service/fn?dc=eu-1")).status, 200)
    }))

  it.live("answers wrong methods with 405 and Allow, OPTIONS with Allow, unknown paths with the 404 text", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const post = yield* get(sim, "/v1/health/service/fn", { method: "POST" })
      assert.deepStrictEqual(
        [post.status, post.text, post.headers.get("allow")],
        [405, "method POST not allowed", "OPTIONS,GET"]
      )
      const options = yield* get(sim, "/v1/agent/service/register", { method: "OPTIONS" })
      assert.deepStrictEqual([options.status, options.headers.get("allow")], [200, "OPTIONS,PUT"])
      const unknown = yield* get(sim, "/v1/kv/config")
      assert.deepStrictEqual(
        [unknown.status, unknown.text],
        [404, "Invalid URL path: not a recognized HTTP API endpoint\n"]
      )
      const bare = yield* get(sim, "/v1/health/service?passing")
      assert.deepStrictEqual([bare.status, bare.headers.get("location")], [301, "/v1/health/service/?passing"])
    }))

  it.live("writes Go's JSON: minimised, HTML-escaped, indented with ?pretty, gzipped when large", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a", { name: "web", meta: { note: "<b>&" } }))
      const plain = yield* get(sim, "/v1/catalog/service/web")
      assert.include(plain.text, `"note":"\\u003cb\\u003e\\u0026"`)
      assert.isFalse(plain.text.includes("\n"))
      const pretty = yield* get(sim, "/v1/catalog/services?pretty")
      assert.strictEqual(pretty.text, `{\n    "consul": [],\n    "web": [\n        "openfaas-timeout=30s"\n    ]\n}\n`)
      for (const id of ["b", "c"]) sim.state.register(instance(id, { name: "web" }))
      const large = yield* get(sim, "/v1/health/service/web", { headers: { "Accept-Encoding": "gzip" } })
      assert.deepStrictEqual(
        [large.headers.get("content-encoding"), large.headers.get("vary")],
        ["gzip", "Accept-Encoding"]
      )
      assert.strictEqual(JSON.parse(large.text).length, 3)
    }))

  it.live("lists the agent's own consul service, as a server agent does", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      assert.strictEqual((yield* get(sim, "/v1/catalog/services")).text, `{"consul":[]}`)
      const [consul] = JSON.parse((yield* get(sim, "/v1/health/service/consul")).text)
      assert.deepStrictEqual([consul.Service.Port, consul.Service.Address, consul.Checks.length], [8300, "", 1])
      assert.deepStrictEqual(sim.state.instances(), [])
    }))
})
