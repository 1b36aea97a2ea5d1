import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { NomadAllocationStats } from "../../src/layers/nomad/NomadAllocationStats.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import { NomadSimulator as Sim } from "../sim/nomad/NomadSimulator.ts"
import { deploy, functionJob } from "../sim/nomad/testSupport.ts"

describe("the Nomad allocation stats client against the simulator", () => {
  it.live("reads each allocation's CPU and memory; an unknown allocation is None; 5xx is retried", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.scoped()
      yield* Effect.promise(() => deploy(sim, functionJob("fn", { count: 2 })))
      const [busy, idle] = sim.state.allocations().map((a) => a.ID)
      sim.state.setAllocationStats(busy!, { cpuPercent: 37.5, memoryRssBytes: 50_000_000 })
      const layer = NomadAllocationStats.layer.pipe(
        Layer.provide(NomadApiClient.layer),
        Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s" }))
      )
      yield* Effect.gen(function*() {
        const stats = yield* NomadAllocationStats
        const usage = Option.getOrThrow(yield* stats.allocationStats(busy!))
        assert.strictEqual(usage.ResourceUsage?.CpuStats?.Percent, 37.5)
        assert.strictEqual(usage.ResourceUsage?.CpuStats?.TotalTicks, 375)
        assert.strictEqual(usage.ResourceUsage?.MemoryStats?.RSS, 50_000_000)
        assert.strictEqual(usage.Tasks?.["fn"]?.ResourceUsage?.CpuStats?.Percent, 37.5)
        assert.isAbove(usage.Timestamp ?? 0, 0)
        assert.strictEqual(Option.getOrThrow(yield* stats.allocationStats(idle!)).ResourceUsage?.CpuStats?.Percent, 0)
        assert.deepStrictEqual(Option.getOrThrow(yield* stats.allocationStats(busy!, "other")).Tasks, {})
        assert.isTrue(Option.isNone(yield* stats.allocationStats("5fc98185-17ff-26bc-a802-0c74fa471c99")))
        const asked = sim.server.count(/stats$/)
        sim.server.faults.inject({ kind: "status", status: 500, body: "No path to node" }, { match: /stats$/ })
        assert.isTrue(Option.isSome(yield* stats.allocationStats(busy!)))
        assert.strictEqual(sim.server.count(/stats$/), asked + 2)
      }).pipe(Effect.provide(layer))
    }))
})
