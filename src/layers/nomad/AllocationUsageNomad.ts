/** Allocation usage from Nomad's `GET /v1/client/allocation/:id/stats`: `CpuStats.Percent` of one core, in millicores. */
import { Effect, Layer, Option } from "effect"
import { AllocationUsage } from "../../services/AllocationUsage.ts"
import { NomadAllocationStats, type NomadAllocationStatsApi } from "./NomadAllocationStats.ts"

export const make = (stats: NomadAllocationStatsApi) =>
  AllocationUsage.of({
    cpuMillicores: (allocId) =>
      Effect.map(
        stats.allocationStats(allocId),
        Option.flatMap((usage) => Option.fromNullishOr(usage.ResourceUsage?.CpuStats?.Percent))
      ).pipe(Effect.map(Option.map((percent) => percent * 10)))
  })

export const layer: Layer.Layer<AllocationUsage, never, NomadAllocationStats> = Layer.effect(
  AllocationUsage,
  Effect.map(Effect.service(NomadAllocationStats), make)
)
