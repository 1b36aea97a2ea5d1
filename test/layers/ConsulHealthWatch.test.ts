import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { ConsulApiClient } from "../../src/layers/consul/ConsulApiClient.ts"
import * as HealthWatch from "../../src/layers/consul/ConsulHealthWatch.ts"
import { fingerprints } from "../../src/layers/consul/ConsulHealthWatch.ts"
import * as DiscoveryConsul from "../../src/layers/consul/DiscoveryConsul.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { Discovery } from "../../src/services/Discovery.ts"
import { type ConsulSimulator, ConsulSimulator as Consul } from "../sim/consul/ConsulSimulator.ts"
import { discoveryFor, ids, instance, ref, watching } from "../support/consulDiscovery.ts"
import { eventually } from "../support/eventually.ts"

/** Reads of one function's instances so far (the plain reads; the shared query is on `/v1/health/state/any`). */
const readsOf = (consul: ConsulSimulator, name: string) =>
  consul.server.count(new RegExp(`/health/service/openfaas-${name}$`))

const blockingRequests = (consul: ConsulSimulator) => consul.server.requests.filter((r) => r.query.has("index"))

const untilBlocked = (consul: ConsulSimulator) => Effect.promise(() => consul.untilBlocked())

describe("one shared Consul watch for every watched function", () => {
  it.live("an instance registered again at another address, its checks unchanged, is read again within refresh", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("m1", "mover", { address: "10.0.0.1", port: 20001 }))
      // The shared watch with a refresh short enough for a test; the provider's is 5 minutes.
      const discovery = Layer.effect(
        Discovery,
        Effect.gen(function*() {
          const client = yield* ConsulApiClient
          const timing = { refresh: Duration.millis(300), pause: Duration.millis(25) }
          const health = yield* HealthWatch.make(client, 2_000, timing)
          return DiscoveryConsul.make(client, jobSettingsFrom(yield* ProviderConfig), health)
        })
      ).pipe(
        Layer.provideMerge(ConsulApiClient.layer),
        Layer.provideMerge(ProviderConfig.layerFromEnv({ CONSUL_HTTP_ADDR: consul.url, api_timeout: "2s" }))
      )
      yield* Effect.gen(function*() {
        const next = yield* watching(ref("mover"))
        assert.deepStrictEqual((yield* next).map((e) => `${e.address}:${e.port}`), ["10.0.0.1:20001"])
        yield* untilBlocked(consul)
        consul.state.register(instance("m1", "mover", { address: "10.0.0.9", port: 31000 }))
        // Without the refresh nothing would come: the shared query's answer is the same before and after.
        const moved = yield* next.pipe(Effect.timeout("10 seconds"))
        assert.deepStrictEqual(moved.map((e) => `${e.address}:${e.port}`), ["10.0.0.9:31000"])
      }).pipe(Effect.scoped, Effect.provide(discovery))
    }))

  it.live("with many functions watched, one blocking query is held at Consul, on the health of every check", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      const names = Array.from({ length: 25 }, (_, i) => `fn${i}`)
      names.forEach((name, i) => consul.state.register(instance(`i${i}`, name)))
      yield* Effect.gen(function*() {
        for (const name of names) assert.strictEqual((yield* (yield* watching(ref(name)))).length, 1)
        yield* untilBlocked(consul)
        assert.strictEqual(consul.blockedQueries(), 1)
        consul.state.register(instance("extra", "fn3"))
        yield* eventually(Effect.sync(() => readsOf(consul, "fn3")), (n) => n === 2)
        yield* untilBlocked(consul)
        assert.strictEqual(consul.blockedQueries(), 1)
        assert.isAbove(blockingRequests(consul).length, 1)
        for (const request of blockingRequests(consul)) {
          assert.strictEqual(request.path, "/v1/health/state/any")
          assert.strictEqual(request.query.get("filter"), `ServiceTags contains "openfaas" or ServiceID == ""`)
        }
        for (const name of names) assert.strictEqual(readsOf(consul, name), name === "fn3" ? 2 : 1)
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("a new instance, a failing check, a deregistration: only that function is read again, and the resolver sees it", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("a1", "alpha"))
      consul.state.register(instance("b1", "beta"))
      consul.state.register(instance("g1", "gamma"))
      yield* Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const [alpha, beta, gamma] = yield* Effect.all([
          resolver.entry(ref("alpha")),
          resolver.entry(ref("beta")),
          resolver.entry(ref("gamma"))
        ])
        const reads = () => ({
          alpha: readsOf(consul, "alpha"),
          beta: readsOf(consul, "beta"),
          gamma: readsOf(consul, "gamma")
        })
        assert.deepStrictEqual(reads(), { alpha: 1, beta: 1, gamma: 1 })

        yield* untilBlocked(consul)
        consul.state.register(instance("a2", "alpha"))
        yield* eventually(Effect.sync(() => ids(alpha.balancer.endpoints)), (found) => found.length === 2)
        assert.deepStrictEqual(ids(alpha.balancer.endpoints), ["a1", "a2"])

        yield* untilBlocked(consul)
        consul.state.setCheckStatus("b1", "critical")
        yield* eventually(Effect.sync(() => beta.balancer.endpoints.length), (n) => n === 0)

        yield* untilBlocked(consul)
        consul.state.deregister("g1")
        yield* eventually(Effect.sync(() => gamma.balancer.endpoints.length), (n) => n === 0)

        yield* untilBlocked(consul)
        consul.state.register(instance("d1", "delta"))
        yield* untilBlocked(consul)
        assert.deepStrictEqual(reads(), { alpha: 2, beta: 2, gamma: 2 })
        assert.deepStrictEqual(ids(alpha.balancer.endpoints), ["a1", "a2"])
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("the node's check failing hides its instances from every watch, and its recovery brings them back", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("n1", "north"))
      consul.state.register(instance("s1", "south"))
      yield* Effect.gen(function*() {
        const north = yield* watching(ref("north"))
        const south = yield* watching(ref("south"))
        assert.deepStrictEqual([ids(yield* north), ids(yield* south)], [["n1"], ["s1"]])
        yield* untilBlocked(consul)
        consul.state.setNodeHealth(false)
        assert.deepStrictEqual([ids(yield* north), ids(yield* south)], [[], []])
        yield* untilBlocked(consul)
        consul.state.setNodeHealth(true)
        assert.deepStrictEqual([ids(yield* north), ids(yield* south)], [["n1"], ["s1"]])
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("the shared query stops with the last watch and starts again with the next", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("o1", "one"))
      consul.state.register(instance("t1", "two"))
      yield* Effect.gen(function*() {
        yield* Effect.scoped(Effect.gen(function*() {
          const one = yield* watching(ref("one"))
          yield* Effect.scoped(Effect.gen(function*() {
            yield* (yield* watching(ref("two")))
            yield* untilBlocked(consul)
          }))
          yield* one
          // One of two watches left: the query still runs.
          consul.state.register(instance("o2", "one"))
          assert.deepStrictEqual(ids(yield* one), ["o1", "o2"])
          yield* untilBlocked(consul)
        }))
        yield* eventually(Effect.sync(() => consul.blockedQueries()), (n) => n === 0)
        const queriesWhenStopped = consul.server.count(/health\/state\/any/)
        consul.state.register(instance("o3", "one"))
        assert.strictEqual(consul.server.count(/health\/state\/any/), queriesWhenStopped)

        const again = yield* watching(ref("one"))
        assert.deepStrictEqual(ids(yield* again), ["o1", "o2", "o3"])
        yield* untilBlocked(consul)
        consul.state.deregister("o1")
        assert.deepStrictEqual(ids(yield* again), ["o2", "o3"])
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))

  it.live("a failure of the shared query reaches every watched function, which keeps its endpoints and recovers", () =>
    Effect.gen(function*() {
      const consul = yield* Consul.scoped()
      consul.state.register(instance("x1", "ex"))
      consul.state.register(instance("y1", "why"))
      yield* Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const ex = yield* resolver.entry(ref("ex"))
        const why = yield* resolver.entry(ref("why"))
        yield* untilBlocked(consul)
        consul.server.faults.inject(
          { kind: "status", status: 500, body: "rpc error making call: EOF" },
          { match: /^GET \/v1\/health\/state\/any$/, times: Infinity }
        )
        // A change ends the held query; the next one fails, retried until the deadline.
        consul.state.register(instance("z1", "zed"))
        yield* eventually(Effect.sync(() => [ex.error, why.error]), (errors) => errors.every((e) => e !== undefined))
        assert.strictEqual(ex.error?.dependency, "consul")
        assert.match(ex.error?.message ?? "", /health checks of the functions/)
        assert.deepStrictEqual([ids(ex.balancer.endpoints), ids(why.balancer.endpoints)], [["x1"], ["y1"]])
        assert.deepStrictEqual(ids((yield* resolver.entry(ref("why"))).balancer.endpoints), ["y1"])

        consul.state.register(instance("y2", "why"))
        consul.server.faults.clear()
        yield* eventually(Effect.sync(() => [ex.error, why.error]), (errors) => errors.every((e) => e === undefined))
        yield* eventually(Effect.sync(() => ids(why.balancer.endpoints)), (found) => found.length === 2)
        yield* untilBlocked(consul)
        assert.strictEqual(consul.blockedQueries(), 1)
      }).pipe(Effect.provide(discoveryFor(consul)))
    }))
})

describe("fingerprints of the health checks", () => {
  const check = (
    node: string,
    serviceId: string,
    serviceName: string,
    status: string,
    checkId = `check-${serviceId}`
  ) => ({
    Node: node,
    CheckID: checkId,
    ServiceID: serviceId,
    ServiceName: serviceName,
    ServiceTags: ["openfaas"],
    Status: status
  })
  const nodeCheck = (node: string, status: string) => ({
    Node: node,
    CheckID: "serfHealth",
    ServiceID: "",
    ServiceName: "",
    ServiceTags: [],
    Status: status
  })
  const healthy = [
    nodeCheck("n1", "passing"),
    nodeCheck("n2", "passing"),
    check("n1", "a-1", "openfaas-a", "passing"),
    check("n2", "b-1", "openfaas-b", "passing"),
    check("n2", "b-2", "openfaas-b", "passing")
  ]

  it("change for a service when its checks change, not for the others", () => {
    const before = fingerprints(healthy)
    const after = fingerprints(healthy.map((c) => (c.ServiceID === "b-2" ? { ...c, Status: "critical" } : c)))
    assert.strictEqual(after.services.get("openfaas-a"), before.services.get("openfaas-a"))
    assert.notStrictEqual(after.services.get("openfaas-b"), before.services.get("openfaas-b"))
    assert.notStrictEqual(after.all, before.all)
  })

  it("change for the services on a node whose check changes, and only for those", () => {
    const before = fingerprints(healthy)
    const after = fingerprints(
      healthy.map((c) => (c.Node === "n2" && c.ServiceID === "" ? { ...c, Status: "critical" } : c))
    )
    assert.strictEqual(after.services.get("openfaas-a"), before.services.get("openfaas-a"))
    assert.notStrictEqual(after.services.get("openfaas-b"), before.services.get("openfaas-b"))
    assert.notStrictEqual(after.nodes, before.nodes)
  })

  it("do not depend on the order of the answer; a new instance or new tags change them", () => {
    const before = fingerprints(healthy)
    assert.strictEqual(fingerprints([...healthy].reverse()).all, before.all)
    const added = fingerprints([...healthy, check("n1", "a-2", "openfaas-a", "passing")])
    assert.notStrictEqual(added.services.get("openfaas-a"), before.services.get("openfaas-a"))
    const retagged = fingerprints(
      healthy.map((c) => (c.ServiceID === "a-1" ? { ...c, ServiceTags: ["openfaas", "openfaas-timeout=5s"] } : c))
    )
    assert.notStrictEqual(retagged.services.get("openfaas-a"), before.services.get("openfaas-a"))
  })
})
