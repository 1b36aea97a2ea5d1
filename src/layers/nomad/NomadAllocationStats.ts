/**
 * An allocation's resource usage over Nomad's HTTP API
 * (`GET /v1/client/allocation/:id/stats`, served by the client running it; a
 * server forwards). Nomad has no bulk endpoint: one call per allocation. A
 * terminal allocation the client still keeps answers zeros; one Nomad no
 * longer knows (collected, or its node gone) is none.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { UpstreamError } from "../../domain/errors.ts"
import { AllocResourceUsage } from "../../nomad/AllocationStats.ts"
import { decodeAnswer, matchStatus, unexpected } from "../http/answers.ts"
import { type NomadApi, NomadApiClient } from "./NomadApiClient.ts"

export interface NomadAllocationStatsApi {
  /** The allocation's usage now (`task` narrows it to one task); none when Nomad does not know the allocation. */
  readonly allocationStats: (
    allocId: string,
    task?: string
  ) => Effect.Effect<Option.Option<AllocResourceUsage>, UpstreamError>
}

const decodeUsage = decodeAnswer("nomad", AllocResourceUsage)

const make = (client: NomadApi): NomadAllocationStatsApi => ({
  allocationStats: (allocId, task) => {
    const what = `stats of allocation ${allocId}`
    const query: Record<string, string> = task === undefined ? {} : { task }
    return client.send(
      client.request("GET", `/v1/client/allocation/${encodeURIComponent(allocId)}/stats`, query),
      { retry: "read" }
    ).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => Effect.map(decodeUsage(ok, what), Option.some),
          // `Unknown allocation "<id>"`, or no path to its node: either way there is nothing to read.
          404: () => Effect.succeedNone,
          orElse: (other) => Effect.fail(unexpected("nomad", other, what))
        })
      )
    )
  }
})

/** The stats client on the shared Nomad client. */
export class NomadAllocationStats
  extends Context.Service<NomadAllocationStats, NomadAllocationStatsApi>()("faas-nomad/NomadAllocationStats")
{
  static readonly make: (client: NomadApi) => NomadAllocationStatsApi = make

  static readonly layer: Layer.Layer<NomadAllocationStats, never, NomadApiClient> = Layer.effect(
    NomadAllocationStats,
    Effect.map(Effect.service(NomadApiClient), make)
  )
}
