/**
 * What a function's instances use, for the autoscaler's `cpu` type: read
 * from Nomad's allocation stats, one request per allocation (Nomad has no
 * bulk endpoint), only for the functions that scale on cpu.
 */
import { Context, type Effect, type Option } from "effect"
import type { UpstreamError } from "../domain/errors.ts"

export class AllocationUsage extends Context.Service<AllocationUsage, {
  /** Millicores the allocation uses now (100% of one core is 1000); none when Nomad has no stats for it. */
  readonly cpuMillicores: (allocId: string) => Effect.Effect<Option.Option<number>, UpstreamError>
}>()("faas-nomad/AllocationUsage") {}
