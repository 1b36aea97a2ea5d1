import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, indexOf, instance, json, serviceIds } from "./consulTestSupport.ts"

const acl = { acl: { tokens: ["reader-secret"] } }

describe("the Consul simulator with ACLs on (default policy deny)", () => {
  it.live("accepts a known token from X-Consul-Token, Authorization: Bearer or ?token", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped(acl)
      sim.state.register(instance("a"))
      for (
        const [path, headers] of [
          ["/v1/health/service/fn", { "X-Consul-Token": "reader-secret" }],
          ["/v1/health/service/fn", { Authorization: "Bearer reader-secret" }],
          ["/v1/health/service/fn?token=reader-secret", {}]
        ] as const
      ) {
        const answer = yield* get(sim, path, { headers })
        assert.deepStrictEqual(serviceIds(answer), [instance("a").id], JSON.stringify(headers))
        assert.strictEqual(answer.headers.get("x-consul-default-acl-policy"), "deny")
        assert.isNull(answer.headers.get("x-consul-results-filtered-by-acls"))
      }
    }))

  it.live("filters lists to nothing for the anonymous token, and says so", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped(acl)
      sim.state.register(instance("a"))
      for (const path of [
        "/v1/health/service/fn",
        "/v1/catalog/service/fn",
        "/v1/health/checks/fn",
        "/v1/health/state/any"
      ]) {
        const answer = yield* get(sim, path)
        assert.deepStrictEqual([answer.status, answer.text], [200, "[]"], path)
        assert.strictEqual(answer.headers.get("x-consul-results-filtered-by-acls"), "true", path)
        assert.strictEqual(indexOf(answer) > 1, true, path)
      }
      const services = yield* get(sim, "/v1/catalog/services")
      assert.deepStrictEqual([services.text, services.headers.get("x-consul-results-filtered-by-acls")], ["{}", "true"])
      // The streaming backend a blocking health query uses does not report ACL filtering.
      const streamed = yield* get(sim, "/v1/health/service/fn?index=1")
      assert.deepStrictEqual([streamed.text, streamed.headers.get("x-consul-results-filtered-by-acls")], ["[]", null])
      const nothing = yield* get(sim, "/v1/health/service/nothing")
      assert.deepStrictEqual([nothing.text, nothing.headers.get("x-consul-results-filtered-by-acls")], ["[]", null])
    }))

  it.live("rejects an unknown token with 403 ACL not found, before any blocking", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped(acl)
      for (const path of ["/v1/health/service/fn?index=999&wait=20s", "/v1/catalog/services", "/v1/agent/self"]) {
        const answer = yield* get(sim, path, { headers: { "X-Consul-Token": "stolen" } })
        assert.deepStrictEqual([answer.status, answer.text], [403, "ACL not found"], path)
      }
      const leader = yield* get(sim, "/v1/status/leader", { headers: { "X-Consul-Token": "stolen" } })
      assert.deepStrictEqual([leader.status, json(leader)], [200, "127.0.0.1:8300"])
    }))

  it.live("refuses agent reads and writes to the anonymous token with Consul's permission message", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped({ ...acl, nodeName: "n1" })
      const self = yield* get(sim, "/v1/agent/self")
      assert.deepStrictEqual(
        [self.status, self.text],
        [
          403,
          `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'agent:read' on "n1"`
        ]
      )
      const register = yield* get(sim, "/v1/agent/service/register", {
        method: "PUT",
        body: JSON.stringify({ Name: "web", Port: 80 })
      })
      assert.deepStrictEqual([register.status, register.text.includes("'service:write' on \"web\"")], [403, true])
      const allowed = yield* get(sim, "/v1/agent/service/register", {
        method: "PUT",
        body: JSON.stringify({ Name: "web", Port: 80 }),
        headers: { "X-Consul-Token": "reader-secret" }
      })
      assert.strictEqual(allowed.status, 200)
      const config = json(yield* get(sim, "/v1/agent/self", { headers: { "X-Consul-Token": "reader-secret" } })).Config
      assert.deepStrictEqual([config.NodeName, config.Datacenter], ["n1", "dc1"])
    }))

  it.live("ignores tokens when ACLs are off, and reports policy allow", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      const answer = yield* get(sim, "/v1/health/service/fn", { headers: { "X-Consul-Token": "anything" } })
      assert.deepStrictEqual([answer.status, json(answer).length], [200, 1])
      assert.strictEqual(answer.headers.get("x-consul-default-acl-policy"), "allow")
    }))
})
