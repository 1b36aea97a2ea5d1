/**
 * Discovery through Nomad's native services (Nomad 1.4+ with checks), for
 * clusters without Consul. A registration carries no health, so each watched
 * function is two blocking queries: its service registrations and its job's
 * allocations; an instance is ready when its allocation runs and Nomad's
 * health verdict (from the service checks) is not pending or failed.
 */
import { Duration, Effect, Layer, Schema, Stream } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { UpstreamError } from "../../domain/errors.ts"
import type { FunctionRef, NamespaceName } from "../../domain/FunctionName.ts"
import { jobId, type JobSettings, jobSettingsFrom, serviceName } from "../../jobs/JobSettings.ts"
import { nullable } from "../../schema/fields.ts"
import { Discovery, type Endpoint, sameEndpoints } from "../../services/Discovery.ts"
import { decodeAnswer, unexpected } from "../http/answers.ts"
import type { ApiAnswer } from "../http/ApiClient.ts"
import { blockingParams, blockingTimeout, blockingWatch } from "../http/blockingWatch.ts"
import { type NomadApi, NomadApiClient } from "./NomadApiClient.ts"

const Registration = Schema.Struct({
  ID: Schema.String,
  AllocID: Schema.String,
  Address: Schema.String,
  Port: Schema.Number,
  Tags: nullable(Schema.Array(Schema.String))
})
type Registration = typeof Registration.Type

const AllocationHealth = Schema.Struct({
  ID: Schema.String,
  JobID: Schema.String,
  DesiredStatus: nullable(Schema.String),
  ClientStatus: nullable(Schema.String),
  DeploymentStatus: nullable(Schema.Struct({ Healthy: nullable(Schema.Boolean) }))
})
type AllocationHealth = typeof AllocationHealth.Type

const decodeRegistrations = decodeAnswer("nomad", Schema.Array(Registration))
const decodeAllocations = decodeAnswer("nomad", Schema.Array(AllocationHealth))

/**
 * Running, and either healthy by Nomad's verdict or not tracked by a deployment
 * at all. While a deployment is still judging an allocation it is not ready.
 */
export const isReady = (alloc: AllocationHealth): boolean =>
  alloc.ClientStatus === "running" && alloc.DesiredStatus === "run" &&
  (alloc.DeploymentStatus == null || alloc.DeploymentStatus.Healthy === true)

/** Discovery through `client`; blocking queries wait `slackMillis` longer than the server holds them. */
export const make = (client: NomadApi, settings: JobSettings, slackMillis: number) => {
  const indexOf = (answer: ApiAnswer) => Number(answer.headers["x-nomad-index"] ?? 0) || 0

  const blockingGet = <A>(
    path: string,
    namespace: string,
    index: number,
    what: string,
    decode: (answer: ApiAnswer, what: string) => Effect.Effect<A, UpstreamError>
  ) => {
    return client.send(client.request("GET", path, { namespace, ...blockingParams(index) }), {
      retry: "read",
      timeout: blockingTimeout(index, slackMillis)
    }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200
          ? Effect.map(decode(answer, what), (value) => ({ index: indexOf(answer), value }))
          : Effect.fail(unexpected("nomad", answer, what))
      )
    )
  }

  const watch = (ref: FunctionRef): Stream.Stream<ReadonlyArray<Endpoint>, UpstreamError> => {
    const service = serviceName(settings, ref.name)
    const job = jobId(settings, ref.name)
    const registrations = blockingWatch(
      (index) =>
        blockingGet(
          `/v1/service/${encodeURIComponent(service)}`,
          ref.namespace,
          index,
          `services of ${service}`,
          decodeRegistrations
        ),
      (list: ReadonlyArray<Registration>) => list.map((r) => `${r.ID}@${r.Address}:${r.Port}`).join(",")
    )
    const allocations = blockingWatch(
      (index) =>
        blockingGet(
          `/v1/job/${encodeURIComponent(job)}/allocations`,
          ref.namespace,
          index,
          `allocations of ${job}`,
          decodeAllocations
        ),
      (list: ReadonlyArray<AllocationHealth>) => list.filter(isReady).map((a) => a.ID).sort().join(",")
    )
    return Stream.zipLatest(registrations, allocations).pipe(
      Stream.map(([regs, allocs]) => {
        const ready = new Set(allocs.filter(isReady).map((a) => a.ID))
        return regs.filter((r) => ready.has(r.AllocID)).map((r): Endpoint => ({
          id: r.ID,
          address: r.Address,
          port: r.Port,
          tags: r.Tags ?? []
        }))
      }),
      Stream.changesWith(sameEndpoints)
    )
  }

  /** One query for every allocation of the namespace. */
  const readyCounts = (namespace: NamespaceName) =>
    client.send(client.request("GET", "/v1/allocations", { namespace, task_states: "false" }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200
          ? decodeAllocations(answer, "allocations of the namespace")
          : Effect.fail(unexpected("nomad", answer, "allocations of the namespace"))
      ),
      Effect.map((allocations) => {
        const counts = new Map<string, number>()
        for (const alloc of allocations) {
          if (!alloc.JobID.startsWith(settings.jobPrefix) || !isReady(alloc)) continue
          const name = alloc.JobID.slice(settings.jobPrefix.length)
          counts.set(name, (counts.get(name) ?? 0) + 1)
        }
        return counts as ReadonlyMap<string, number>
      })
    )

  return Discovery.of({ watch, readyCounts })
}

export const layer: Layer.Layer<Discovery, never, NomadApiClient | ProviderConfig> = Layer.effect(
  Discovery,
  Effect.gen(function*() {
    const config = yield* ProviderConfig
    return make(yield* NomadApiClient, jobSettingsFrom(config), Duration.toMillis(config.apiTimeout))
  })
)
