import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, indexOf, instance, json, serviceIds } from "./consulTestSupport.ts"

describe("the Consul simulator's /v1/health/service", () => {
  it.live("shows a sink registration with the node, the service and both kinds of checks", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped({ nodeName: "client-1", datacenter: "eu" })
      sim.state.register(instance("a1"))
      const answer = yield* get(sim, "/v1/health/service/fn")
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers.get("content-type"), "application/json")
      assert.isFalse(answer.text.endsWith("\n"))
      const [entry] = json(answer)
      assert.deepStrictEqual(
        [entry.Node.Node, entry.Node.Address, entry.Node.Datacenter],
        ["client-1", "127.0.0.1", "eu"]
      )
      assert.deepStrictEqual(entry.Service.ID, "_nomad-task-a1-group-fn-fn-http")
      assert.deepStrictEqual(
        [entry.Service.Service, entry.Service.Address, entry.Service.Port],
        ["fn", "10.0.0.5", 20000]
      )
      assert.deepStrictEqual(entry.Service.Tags, ["openfaas-timeout=30s"])
      assert.deepStrictEqual(entry.Service.Meta, { "external-source": "nomad", openfaas_namespace: "default" })
      assert.deepStrictEqual(entry.Service.TaggedAddresses.lan_ipv4, { Address: "10.0.0.5", Port: 20000 })
      assert.deepStrictEqual(entry.Service.Weights, { Passing: 1, Warning: 1 })
      assert.deepStrictEqual(entry.Checks.map((c: any) => [c.CheckID, c.Status, c.ServiceID]), [
        ["serfHealth", "passing", ""],
        [entry.Checks[1].CheckID, "passing", "_nomad-task-a1-group-fn-fn-http"]
      ])
      assert.match(entry.Checks[1].CheckID, /^_nomad-check-[0-9a-f]{40}$/)
      assert.deepStrictEqual([entry.Checks[1].Type, entry.Checks[1].ServiceTags], ["http", ["openfaas-timeout=30s"]])
      assert.deepStrictEqual(entry.Checks[0].ServiceTags, [])
      for (const header of ["x-consul-knownleader", "x-consul-lastcontact", "x-consul-effective-consistency"]) {
        assert.isNotNull(answer.headers.get(header), header)
      }
      assert.strictEqual(answer.headers.get("x-consul-default-acl-policy"), "allow")
      assert.strictEqual(indexOf(answer), sim.state.index)
    }))

  it.live("leaves Service.Address empty when registered without one, so clients dial the node", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped({ nodeAddress: "192.0.2.7" })
      sim.state.register(instance("a1", { address: "" }))
      const [entry] = json(yield* get(sim, "/v1/health/service/fn"))
      assert.strictEqual(entry.Service.Address, "")
      assert.notProperty(entry.Service, "TaggedAddresses")
      assert.strictEqual(entry.Node.Address, "192.0.2.7")
      const [row] = json(yield* get(sim, "/v1/catalog/service/fn"))
      assert.deepStrictEqual([row.ServiceAddress, row.Address, row.ServicePort], ["", "192.0.2.7", 20000])
    }))

  it.live("?passing drops instances with a critical or warning service check, and all when the node fails", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      for (const id of ["a", "b", "c", "d"]) sim.state.register(instance(id))
      sim.state.setCheckStatus(instance("a").id, "critical")
      sim.state.setCheckStatus(instance("b").id, "warning")
      sim.state.setHealth(instance("c").id, false)
      const all = yield* get(sim, "/v1/health/service/fn")
      assert.strictEqual(json(all).length, 4)
      for (const query of ["passing", "passing=true", "passing=1", "passing=T"]) {
        assert.deepStrictEqual(serviceIds(yield* get(sim, `/v1/health/service/fn?${query}`)), [instance("d").id], query)
      }
      assert.strictEqual(json(yield* get(sim, "/v1/health/service/fn?passing=false")).length, 4)
      sim.state.setHealth(instance("c").id, true)
      sim.state.setNodeHealth(false)
      assert.deepStrictEqual(json(yield* get(sim, "/v1/health/service/fn?passing")), [])
      const [entry] = json(yield* get(sim, "/v1/health/service/fn"))
      assert.deepStrictEqual([entry.Checks[0].CheckID, entry.Checks[0].Status], ["serfHealth", "critical"])
    }))

  it.live("orders what ?passing keeps the way Consul's filterNonPassing swaps entries", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      for (const id of ["a", "b", "c"]) sim.state.register(instance(id))
      sim.state.setCheckStatus(instance("a").id, "critical")
      assert.deepStrictEqual(serviceIds(yield* get(sim, "/v1/health/service/fn?passing")), [
        instance("c").id,
        instance("b").id
      ])
    }))

  it.live("puts an instance in maintenance with a critical check of its own, and takes it out", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      sim.state.setCheckStatus(instance("a").id, "maintenance")
      const [entry] = json(yield* get(sim, "/v1/health/service/fn"))
      const maintenance = entry.Checks.find((c: any) => c.CheckID === `_service_maintenance:${instance("a").id}`)
      assert.deepStrictEqual(
        [maintenance.Status, maintenance.Type, maintenance.Name],
        ["critical", "maintenance", "Service Maintenance Mode"]
      )
      assert.deepStrictEqual(json(yield* get(sim, "/v1/health/service/fn?passing")), [])
      assert.strictEqual(sim.state.instances()[0]!.status, "critical")
      sim.state.setCheckStatus(instance("a").id, "passing")
      assert.strictEqual(json(yield* get(sim, "/v1/health/service/fn?passing")).length, 1)
      assert.strictEqual(json(yield* get(sim, "/v1/health/service/fn"))[0].Checks.length, 2)
    }))

  it.live("matches service names and ?tag case-insensitively; every tag asked for must be present", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a", { tags: ["Blue", "canary"] }))
      sim.state.register(instance("b", { tags: ["blue"] }))
      assert.strictEqual(json(yield* get(sim, "/v1/health/service/FN")).length, 2)
      assert.deepStrictEqual(serviceIds(yield* get(sim, "/v1/health/service/fn?tag=blue&tag=Canary")), [
        instance("a").id
      ])
      assert.deepStrictEqual(serviceIds(yield* get(sim, "/v1/catalog/service/fn?tag=BLUE")), [
        instance("a").id,
        instance("b").id
      ])
    }))

  it.live("answers 200 [] for a service nobody registered, and after its last instance left", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const unknown = yield* get(sim, "/v1/health/service/nothing")
      assert.deepStrictEqual([unknown.status, unknown.text], [200, "[]"])
      assert.isAtLeast(indexOf(unknown), 1)
      sim.state.register(instance("a"))
      sim.state.deregister(instance("a").id)
      const gone = yield* get(sim, "/v1/health/service/fn")
      assert.strictEqual(gone.text, "[]")
      assert.strictEqual(indexOf(gone), sim.state.index)
      assert.deepStrictEqual(sim.state.instances(), [])
    }))

  it.live("lists instances for tests, with the status ?passing decides on; unknown IDs are refused", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      sim.state.setCheckStatus(instance("a").id, "warning")
      const [listed] = sim.state.instances()
      assert.deepStrictEqual([listed!.allocId, listed!.status], ["a", "warning"])
      const index = sim.state.index
      sim.state.register(instance("a"))
      assert.deepStrictEqual([sim.state.instances()[0]!.status, sim.state.index], ["warning", index])
      assert.throws(() => sim.state.setCheckStatus("nope", "passing"), /nope/)
      sim.state.setHealth("nope", false)
      sim.state.deregister("nope")
    }))
})
