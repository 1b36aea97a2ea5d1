import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FunctionRef } from "../../src/domain/FunctionName.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { Discovery } from "../../src/services/Discovery.ts"
import { ConsulSimulator as Consul } from "../sim/consul/ConsulSimulator.ts"
import { discoveryFor, ids, instance, ref, watching } from "../support/consulDiscovery.ts"
import { eventually } from "../support/eventually.ts"

describe("discovery through Consul's health API", () => {
  it.live("a watch answers at once, then on every change, through blocking queries", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("a1", "watched"))
      yield* Effect.gen(function*() {
        const next = yield* watching(ref("watched"))
        assert.deepStrictEqual(ids(yield* next), ["a1"])
        yield* Effect.promise(() => consul.untilBlocked())
        consul.state.register(instance("a2", "watched"))
        assert.deepStrictEqual(ids(yield* next), ["a1", "a2"])
        yield* Effect.promise(() => consul.untilBlocked())
        consul.state.setHealth("a1", false)
        assert.deepStrictEqual(ids(yield* next), ["a2"])
        yield* Effect.promise(() => consul.untilBlocked())
        consul.state.deregister("a2")
        assert.deepStrictEqual(ids(yield* next), [])
        assert.isTrue(
          consul.server.requests.some((r) => r.query.get("index") !== null && r.query.get("wait") === "300s")
        )
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("only the function's namespace; an instance without an address is dialled at its node", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped({ nodeAddress: "192.0.2.9" })
      consul.state.register(instance("n1", "shared", { address: "" }))
      consul.state.register(instance("n2", "shared", { namespace: "team", meta: { openfaas_namespace: "team" } }))
      yield* Effect.gen(function*() {
        const next = yield* watching(ref("shared"))
        const [only] = yield* next
        assert.deepStrictEqual(only, {
          id: "n1",
          address: "192.0.2.9",
          port: 20001,
          tags: ["openfaas", "openfaas-namespace-default"]
        })
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("ready counts for a namespace take one query", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("c1", "alpha"))
      consul.state.register(instance("c2", "alpha"))
      consul.state.register(instance("c3", "beta"))
      consul.state.setCheckStatus("c3", "critical")
      consul.state.register(instance("c4", "gamma", { tags: ["openfaas", "openfaas-namespace-team"] }))
      const counts = yield* Effect.flatMap(
        Effect.service(Discovery),
        (d) => d.readyCounts("default" as FunctionRef["namespace"])
      ).pipe(
        Effect.provide(discoveryFor(consul))
      )
      assert.deepStrictEqual(Object.fromEntries(counts), { alpha: 2 })
      assert.strictEqual(consul.server.count(/health\/state/), 1)
      consul.state.setNodeHealth(false)
      const noneOnFailingNode = yield* Effect.flatMap(
        Effect.service(Discovery),
        (d) => d.readyCounts("default" as FunctionRef["namespace"])
      ).pipe(
        Effect.provide(discoveryFor(consul))
      )
      assert.strictEqual(noneOnFailingNode.size, 0)
    }))
})

describe("the endpoint resolver over Consul", () => {
  it.live("steady-state lookups make no Consul request; the last endpoints serve while Consul is down", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("r1", "steady"))
      yield* Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const entry = yield* resolver.entry(ref("steady"))
        assert.deepStrictEqual(ids(entry.balancer.endpoints), ["r1"])
        yield* Effect.promise(() => consul.untilBlocked())
        const before = consul.server.count(/health\/service/)
        for (let i = 0; i < 100; i++) yield* resolver.entry(ref("steady"))
        assert.strictEqual(consul.server.count(/health\/service/), before)

        yield* Effect.promise(() => consul.server.down())
        yield* eventually(Effect.sync(() => entry.error), (error) => error !== undefined)
        assert.strictEqual(entry.error?.dependency, "consul")
        assert.deepStrictEqual(ids((yield* resolver.entry(ref("steady"))).balancer.endpoints), ["r1"])

        consul.state.register(instance("r2", "steady"))
        yield* Effect.promise(() => consul.server.up())
        yield* eventually(Effect.sync(() => entry.balancer.endpoints.length), (n) => n === 2)
        assert.deepStrictEqual(ids(entry.balancer.endpoints), ["r1", "r2"])
        assert.isUndefined(entry.error)
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("a forgotten function stops its watch", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("f1", "forgotten"))
      yield* Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const entry = yield* resolver.entry(ref("forgotten"))
        yield* Effect.promise(() => consul.untilBlocked())
        yield* resolver.forget(ref("forgotten"))
        assert.isFalse(entry.active)
        assert.isUndefined(resolver.peek("default/forgotten"))
        yield* eventually(Effect.sync(() => consul.blockedQueries()), (n) => n === 0)
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("an index that goes backwards starts the watch over", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("b1", "backwards"))
      yield* Effect.gen(function*() {
        const next = yield* watching(ref("backwards"))
        assert.deepStrictEqual(ids(yield* next), ["b1"])
        yield* Effect.promise(() => consul.untilBlocked())
        consul.state.resetIndex(1)
        consul.state.register(instance("b2", "backwards"))
        assert.deepStrictEqual(ids(yield* next), ["b1", "b2"])
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))
})
