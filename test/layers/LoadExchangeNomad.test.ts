/**
 * Replicas sharing their load through Nomad Variables, against the Nomad
 * simulator: one write per replica per interval (none while idle), one list
 * and a read of each changed snapshot by the leader, snapshots that stop
 * changing stop counting after two of its reads and are deleted later.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, type Scope } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import * as LoadExchangeNomad from "../../src/layers/nomad/LoadExchangeNomad.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import { NomadVariables, type NomadVariablesApi } from "../../src/layers/nomad/NomadVariables.ts"
import type { FunctionLoad, LoadWindow } from "../../src/services/LoadExchange.ts"
import { NomadSimulator as Sim } from "../sim/nomad/NomadSimulator.ts"

type Simulator = Effect.Success<ReturnType<typeof Sim.scoped>>

const withNomad = <A, E>(body: (sim: Simulator, vars: NomadVariablesApi) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.gen(function*() {
    const sim = yield* Sim.scoped()
    const layer = NomadVariables.layer.pipe(
      Layer.provide(NomadApiClient.layer),
      Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s" }))
    )
    return yield* Effect.flatMap(Effect.service(NomadVariables), (vars) => body(sim, vars)).pipe(
      Effect.provide(layer)
    )
  })

const window = (entries: Record<string, FunctionLoad>): LoadWindow => new Map(Object.entries(entries))
const plain = (windows: ReadonlyArray<LoadWindow>) => windows.map((w) => Object.fromEntries(w))

const replica = (vars: NomadVariablesApi, id: string) =>
  LoadExchangeNomad.make(vars, { namespace: "default", replicaId: id })

describe("the load exchange in Nomad Variables", () => {
  it.live("the leader sees the other replicas' latest windows, reading only the snapshots that changed", () =>
    withNomad((sim, vars) =>
      Effect.gen(function*() {
        const leader = replica(vars, "leader")
        const b = replica(vars, "b")
        const c = replica(vars, "c")
        const writes = () => sim.server.count(/^PUT \/v1\/var\/faas-nomad\/autoscaler\/load\//)
        const reads = () => sim.server.count(/^GET \/v1\/var\/faas-nomad\/autoscaler\/load\//)
        const lists = () => sim.server.count(/^GET \/v1\/vars$/)

        yield* leader.exchange.publish(window({ "default/fn": { rps: 1, inflight: 0.5 } }))
        yield* b.exchange.publish(
          window({ "default/fn": { rps: 12.5, inflight: 2 }, "team/other": { rps: 3, inflight: 0 } })
        )
        yield* c.exchange.publish(window({ "default/fn": { rps: 7.25, inflight: 1.125 } }))
        assert.strictEqual(writes(), 3, "one write per replica")

        const first = yield* leader.exchange.peers
        assert.deepStrictEqual(plain(first), [
          { "default/fn": { rps: 12.5, inflight: 2 }, "team/other": { rps: 3, inflight: 0 } },
          { "default/fn": { rps: 7.25, inflight: 1.125 } }
        ])
        assert.deepStrictEqual([lists(), reads()], [1, 2], "one list, and a read of each other replica's snapshot")

        // b publishes a new window, c does not: only b's is read again; c's latest still counts.
        yield* b.exchange.publish(window({ "default/fn": { rps: 1, inflight: 0 } }))
        const second = yield* leader.exchange.peers
        assert.deepStrictEqual(plain(second), [
          { "default/fn": { rps: 1, inflight: 0 } },
          { "default/fn": { rps: 7.25, inflight: 1.125 } }
        ])
        assert.deepStrictEqual([lists(), reads()], [2, 3])

        // c's snapshot has not changed for two of the leader's reads: it stops counting.
        yield* b.exchange.publish(window({ "default/fn": { rps: 2, inflight: 0 } }))
        const third = yield* leader.exchange.peers
        assert.deepStrictEqual(plain(third), [{ "default/fn": { rps: 2, inflight: 0 } }])
      })
    ))

  it.live("an idle replica writes its empty window once, then nothing until it has load again", () =>
    withNomad((sim, vars) =>
      Effect.gen(function*() {
        const b = replica(vars, "b")
        const writes = () => sim.server.count(/^PUT \/v1\/var\/faas-nomad\/autoscaler\/load\/b$/)
        yield* b.exchange.publish(window({ "default/fn": { rps: 4, inflight: 0 } }))
        yield* b.exchange.publish(window({}))
        yield* b.exchange.publish(window({}))
        yield* b.exchange.publish(window({}))
        assert.strictEqual(writes(), 2)
        const leader = replica(vars, "leader")
        assert.deepStrictEqual(plain(yield* leader.exchange.peers), [{}])
        yield* b.exchange.publish(window({ "default/fn": { rps: 1, inflight: 0 } }))
        assert.strictEqual(writes(), 3)
      })
    ))

  it.live("the snapshot of a replica that died is deleted; one that shuts down deletes its own", () =>
    withNomad((sim, vars) =>
      Effect.gen(function*() {
        const leader = replica(vars, "leader")
        const dead = replica(vars, "dead")
        const leaving = replica(vars, "leaving")
        yield* dead.exchange.publish(window({ "default/fn": { rps: 4, inflight: 0 } }))
        yield* leaving.exchange.publish(window({ "default/fn": { rps: 4, inflight: 0 } }))
        const paths = () => sim.state.variables().map((v) => v.Path).sort()
        yield* leaving.withdraw
        assert.deepStrictEqual(paths(), ["faas-nomad/autoscaler/load/dead"])
        for (let i = 0; i < 12; i++) yield* leader.exchange.peers
        assert.deepStrictEqual(paths(), ["faas-nomad/autoscaler/load/dead"], "still there after 11 unchanged reads")
        yield* leader.exchange.peers
        assert.deepStrictEqual(paths(), [])
      })
    ))

  it("a window past Nomad's variable size keeps its busiest functions; an unreadable one is no load", () => {
    const big = new Map<string, FunctionLoad>()
    for (let i = 0; i < 3000; i++) big.set(`namespace-${i}/function-${i}`, { rps: i, inflight: 0 })
    const { dropped, text } = LoadExchangeNomad.encodeWindow(big)
    assert.isAtMost(Buffer.byteLength(text), LoadExchangeNomad.maxSnapshotBytes)
    const kept = LoadExchangeNomad.decodeWindow(text)
    assert.strictEqual(kept.size + dropped, 3000)
    assert.isAbove(dropped, 0)
    assert.isTrue(kept.has("namespace-2999/function-2999"))
    assert.isFalse(kept.has("namespace-0/function-0"))
    assert.strictEqual(LoadExchangeNomad.decodeWindow("{not json").size, 0)
    assert.strictEqual(LoadExchangeNomad.decodeWindow(undefined).size, 0)
  })
})
