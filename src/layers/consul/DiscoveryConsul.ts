/**
 * Discovery through Consul's health API. Each watched function is one
 * blocking query on `/v1/health/service/<service>?passing`, filtered to the
 * function's namespace (Consul OSS has one service namespace, Nomad has
 * many); an instance without an address of its own is dialled at its node's.
 */
import { Duration, Effect, Layer, Schema } from "effect"
import { HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { FunctionRef, NamespaceName } from "../../domain/FunctionName.ts"
import { type JobSettings, jobSettingsFrom, serviceName } from "../../jobs/JobSettings.ts"
import { nullable } from "../../schema/fields.ts"
import { Discovery, type Endpoint } from "../../services/Discovery.ts"
import { decodeAnswer, unexpected } from "../http/answers.ts"
import type { ApiAnswer, ApiClient } from "../http/ApiClient.ts"
import { blockingParams, blockingTimeout, blockingWatch } from "../http/blockingWatch.ts"
import { ConsulApiClient } from "./ConsulApiClient.ts"

const ServiceEntry = Schema.Struct({
  Node: Schema.Struct({ Address: nullable(Schema.String) }),
  Service: Schema.Struct({
    ID: Schema.String,
    Address: nullable(Schema.String),
    Port: Schema.Number,
    Tags: nullable(Schema.Array(Schema.String))
  })
})

const HealthCheck = Schema.Struct({
  Node: Schema.String,
  ServiceID: nullable(Schema.String),
  ServiceName: nullable(Schema.String),
  Status: Schema.String
})

const decodeEntries = decodeAnswer("consul", Schema.Array(ServiceEntry))
const decodeChecks = decodeAnswer("consul", Schema.Array(HealthCheck))

const quote = (value: string) => JSON.stringify(value)

/** Discovery through `client`; blocking queries wait `slackMillis` longer than the server holds them. */
export const make = (client: ApiClient, settings: JobSettings, slackMillis: number) => {
  const indexOf = (answer: ApiAnswer) => Number(answer.headers["x-consul-index"] ?? 0) || 0

  const healthQuery = (ref: FunctionRef, index: number) => {
    const params = new URLSearchParams({
      passing: "true",
      filter: `Service.Meta.openfaas_namespace == ${quote(ref.namespace)}`,
      ...blockingParams(index)
    })
    const what = `health of ${serviceName(settings, ref.name)}`
    return client.send(
      HttpClientRequest.get(
        client.url(`/v1/health/service/${encodeURIComponent(serviceName(settings, ref.name))}?${params}`)
      ),
      { retry: "read", timeout: blockingTimeout(index, slackMillis) }
    ).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200
          ? Effect.map(decodeEntries(answer, what), (entries) => ({
            index: indexOf(answer),
            value: entries.map((entry): Endpoint => ({
              id: entry.Service.ID,
              address: entry.Service.Address || entry.Node.Address || "",
              port: entry.Service.Port,
              tags: entry.Service.Tags ?? []
            })).filter((e) => e.address !== "")
          }))
          : Effect.fail(unexpected("consul", answer, what))
      )
    )
  }

  const watch = (ref: FunctionRef) =>
    blockingWatch(
      (index) => healthQuery(ref, index),
      (endpoints) => endpoints.map((e) => `${e.id}@${e.address}:${e.port}`).join(",")
    )

  /** One query for every check of the namespace's functions and of their nodes: an instance is ready when all pass. */
  const readyCounts = (namespace: NamespaceName) => {
    const filter = `ServiceTags contains ${quote(`openfaas-namespace-${namespace}`)} or ServiceID == ""`
    const what = "health checks of the functions"
    return client.send(HttpClientRequest.get(client.url(`/v1/health/state/any?${new URLSearchParams({ filter })}`)), {
      retry: "read"
    }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200 ? decodeChecks(answer, what) : Effect.fail(unexpected("consul", answer, what))
      ),
      Effect.map((checks) => {
        const failingNodes = new Set(checks.filter((c) => !c.ServiceID && c.Status !== "passing").map((c) => c.Node))
        const instances = new Map<string, { readonly service: string; ready: boolean }>()
        for (const check of checks) {
          if (!check.ServiceID || !check.ServiceName) continue
          const key = `${check.Node}/${check.ServiceID}`
          const instance = instances.get(key) ?? { service: check.ServiceName, ready: !failingNodes.has(check.Node) }
          instance.ready &&= check.Status === "passing"
          instances.set(key, instance)
        }
        const prefix = serviceName(settings, "")
        const counts = new Map<string, number>()
        for (const { ready, service } of instances.values()) {
          if (!ready || !service.startsWith(prefix)) continue
          const name = service.slice(prefix.length)
          counts.set(name, (counts.get(name) ?? 0) + 1)
        }
        return counts as ReadonlyMap<string, number>
      })
    )
  }

  return Discovery.of({ watch, readyCounts })
}

export const layer: Layer.Layer<Discovery, never, ConsulApiClient | ProviderConfig> = Layer.effect(
  Discovery,
  Effect.gen(function*() {
    const config = yield* ProviderConfig
    return make(yield* ConsulApiClient, jobSettingsFrom(config), Duration.toMillis(config.apiTimeout))
  })
)
