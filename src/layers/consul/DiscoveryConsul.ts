/**
 * Discovery through Consul's health API. A watched function is read from
 * `/v1/health/service/<service>?passing`, filtered to the function's namespace
 * (Consul OSS has one service namespace, Nomad has many), once when its watch
 * starts and again each time the one blocking query shared by every watch
 * (`ConsulHealthWatch`) sees its service's checks change: a thousand watched
 * functions hold one request open at Consul, not a thousand. An instance
 * without an address of its own is dialled at its node's.
 */
import { Duration, Effect, Layer, Option, Schema, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { UpstreamError } from "../../domain/errors.ts"
import type { FunctionRef, NamespaceName } from "../../domain/FunctionName.ts"
import { type JobSettings, jobSettingsFrom, serviceName } from "../../jobs/JobSettings.ts"
import { nullable } from "../../schema/fields.ts"
import { Discovery, type Endpoint } from "../../services/Discovery.ts"
import { decodeAnswer, unexpected } from "../http/answers.ts"
import type { ApiClient } from "../http/ApiClient.ts"
import { ConsulApiClient } from "./ConsulApiClient.ts"
import type { ConsulHealthWatch } from "./ConsulHealthWatch.ts"
import * as HealthWatch from "./ConsulHealthWatch.ts"

const ServiceEntry = Schema.Struct({
  Node: Schema.Struct({ Address: nullable(Schema.String) }),
  Service: Schema.Struct({
    ID: Schema.String,
    Address: nullable(Schema.String),
    Port: Schema.Number,
    Tags: nullable(Schema.Array(Schema.String))
  })
})

const decodeEntries = decodeAnswer("consul", Schema.Array(ServiceEntry))

const quote = (value: string) => JSON.stringify(value)

const identity = (endpoints: ReadonlyArray<Endpoint>) =>
  endpoints.map((e) => `${e.id}@${e.address}:${e.port}[${e.tags}]`).join(",")

/** Discovery through `client`; function watches learn of changes from `health`. */
export const make = (client: ApiClient, settings: JobSettings, health: ConsulHealthWatch) => {
  const healthQuery = (ref: FunctionRef) => {
    const params = new URLSearchParams({
      passing: "true",
      filter: `Service.Meta.openfaas_namespace == ${quote(ref.namespace)}`
    })
    const what = `health of ${serviceName(settings, ref.name)}`
    return client.send(
      HttpClientRequest.get(
        client.url(`/v1/health/service/${encodeURIComponent(serviceName(settings, ref.name))}?${params}`)
      ),
      { retry: "read" }
    ).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200
          ? Effect.map(decodeEntries(answer, what), (entries) =>
            entries.map((entry): Endpoint => ({
              id: entry.Service.ID,
              address: entry.Service.Address || entry.Node.Address || "",
              port: entry.Service.Port,
              tags: entry.Service.Tags ?? []
            })).filter((e) => e.address !== ""))
          : Effect.fail(unexpected("consul", answer, what))
      )
    )
  }

  /** Reads the service now, then after each change the shared watch reports; emits only what is new. */
  const watch = (ref: FunctionRef) =>
    Stream.unwrap(
      Effect.map(
        health.subscribe(serviceName(settings, ref.name)),
        (subscription) =>
          Stream.paginate<string | undefined, ReadonlyArray<Endpoint>, UpstreamError>(
            undefined,
            (last) =>
              Effect.gen(function*() {
                if (last !== undefined) yield* subscription.changed
                const endpoints = yield* healthQuery(ref)
                const id = identity(endpoints)
                return [id === last ? [] : [endpoints], Option.some(id)] as const
              })
          )
      )
    )

  /** One query for every check of the namespace's functions and of their nodes: an instance is ready when all pass. */
  const readyCounts = (namespace: NamespaceName) => {
    const filter = `ServiceTags contains ${quote(`openfaas-namespace-${namespace}`)} or ServiceID == ""`
    const what = "health checks of the functions"
    return client.send(HttpClientRequest.get(client.url(`/v1/health/state/any?${new URLSearchParams({ filter })}`)), {
      retry: "read"
    }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200 ? HealthWatch.decodeChecks(answer, what) : Effect.fail(unexpected("consul", answer, what))
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
    const client = yield* ConsulApiClient
    return make(client, jobSettingsFrom(config), yield* HealthWatch.make(client, Duration.toMillis(config.apiTimeout)))
  })
)
