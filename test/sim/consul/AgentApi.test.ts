import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, json } from "./consulTestSupport.ts"

const put = (body: unknown) => ({ method: "PUT", body: typeof body === "string" ? body : JSON.stringify(body) })

describe("the Consul simulator's agent registration API", () => {
  it.live("registers a service whose checks start critical unless given a status, and deregisters it", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const registered = yield* get(
        sim,
        "/v1/agent/service/register",
        put({
          ID: "web-1",
          Name: "web",
          Port: 8080,
          tags: ["v1"],
          Meta: { openfaas_namespace: "default" },
          Checks: [{ HTTP: "http://127.0.0.1:8080/", Interval: "5s" }, { TTL: "30s", Status: "passing", Name: "ttl" }]
        })
      )
      assert.deepStrictEqual([registered.status, registered.text], [200, ""])
      const [entry] = json(yield* get(sim, "/v1/health/service/web"))
      assert.deepStrictEqual([entry.Service.Address, entry.Service.Port, entry.Service.Tags], ["", 8080, ["v1"]])
      assert.deepStrictEqual(entry.Checks.map((c: any) => [c.CheckID, c.Name, c.Status, c.Type]), [
        ["serfHealth", "Serf Health Status", "passing", ""],
        ["service:web-1:1", "Service 'web' check", "critical", "http"],
        ["service:web-1:2", "ttl", "passing", "ttl"]
      ])
      assert.deepStrictEqual(json(yield* get(sim, "/v1/health/service/web?passing")), [])
      assert.deepStrictEqual(sim.state.instances().map((i) => [i.id, i.status]), [["web-1", "critical"]])
      const gone = yield* get(sim, "/v1/agent/service/deregister/web-1", { method: "PUT" })
      assert.strictEqual(gone.status, 200)
      assert.strictEqual((yield* get(sim, "/v1/health/service/web")).text, "[]")
    }))

  it.live("takes the ID from the name and adds tagged addresses for an IP", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      yield* get(sim, "/v1/agent/service/register", put({ Name: "api", Address: "10.1.2.3", Port: 9000 }))
      const [row] = json(yield* get(sim, "/v1/catalog/service/api"))
      assert.deepStrictEqual([row.ServiceID, row.ServiceMeta], ["api", null])
      assert.deepStrictEqual(row.ServiceTaggedAddresses, {
        lan_ipv4: { Address: "10.1.2.3", Port: 9000 },
        wan_ipv4: { Address: "10.1.2.3", Port: 9000 }
      })
    }))

  it.live("refuses bad registrations and unknown deregistrations with the agent's texts", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const noName = yield* get(sim, "/v1/agent/service/register", put({ Port: 1 }))
      assert.deepStrictEqual([noName.status, noName.text], [400, "Missing service name"])
      const broken = yield* get(sim, "/v1/agent/service/register", put("{"))
      assert.deepStrictEqual([broken.status, broken.text.startsWith("Request decode failed: ")], [400, true])
      const badPort = yield* get(sim, "/v1/agent/service/register", put({ Name: "x", Port: "80" }))
      assert.strictEqual(badPort.status, 400)
      const badMeta = yield* get(sim, "/v1/agent/service/register", put({ Name: "x", Meta: { "a b": "c" } }))
      assert.deepStrictEqual([badMeta.status, badMeta.text.startsWith("Invalid Service Meta")], [400, true])
      const unknown = yield* get(sim, "/v1/agent/service/deregister/web", { method: "PUT" })
      assert.deepStrictEqual(
        [unknown.status, unknown.text],
        [404, `Unknown service ID "web". Ensure that the service ID is passed, not the service name.`]
      )
      const wrongMethod = yield* get(sim, "/v1/agent/service/register")
      assert.strictEqual(wrongMethod.status, 405)
    }))
})
