import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, indexOf, instance, send } from "./consulTestSupport.ts"

describe("the Consul simulator's faults and outages", () => {
  it.live("injects a status for matching requests, then answers normally, and counts requests", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.server.faults.inject(
        { kind: "status", status: 500, body: "rpc error making call: EOF" },
        { match: /^GET \/v1\/health\/service\// }
      )
      const failed = yield* get(sim, "/v1/health/service/fn")
      assert.deepStrictEqual([failed.status, failed.text], [500, "rpc error making call: EOF"])
      assert.strictEqual((yield* get(sim, "/v1/catalog/services")).status, 200)
      assert.strictEqual((yield* get(sim, "/v1/health/service/fn")).status, 200)
      assert.strictEqual(sim.server.count(/^GET \/v1\/health\/service\/fn$/), 2)
    }))

  it.live("drops connections, and goes down and comes back on the same URL with its state", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      sim.server.faults.inject({ kind: "drop" })
      const dropped = yield* Effect.promise(() =>
        send(sim, "/v1/health/service/fn").then(() => "answered", () => "failed")
      )
      assert.strictEqual(dropped, "failed")
      const url = sim.url
      yield* Effect.promise(() => sim.server.down())
      const whileDown = yield* Effect.promise(() =>
        send(sim, "/v1/health/service/fn").then(() => "answered", () => "failed")
      )
      assert.strictEqual(whileDown, "failed")
      yield* Effect.promise(() => sim.server.up())
      assert.strictEqual(sim.url, url)
      const back = yield* get(sim, "/v1/health/service/fn")
      assert.deepStrictEqual([back.status, JSON.parse(back.text).length], [200, 1])
    }))

  it.live("ends held blocking queries when it goes down", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const first = yield* get(sim, "/v1/health/service/fn")
      const held = send(sim, `/v1/health/service/fn?index=${indexOf(first)}&wait=20s`).then(
        () => "answered",
        () => "failed"
      )
      yield* Effect.promise(() => sim.untilBlocked())
      yield* Effect.promise(() => sim.server.down())
      assert.strictEqual(yield* Effect.promise(() => held), "failed")
      assert.strictEqual(sim.blockedQueries(), 0)
      yield* Effect.promise(() => sim.server.up())
    }))
})
