/**
 * The one HTTP client to Nomad (NOMAD_ADDR, NOMAD_TOKEN, TLS), shared by the
 * job API, native service discovery, Variables and allocation logs, with
 * the region every call carries.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { StartupError } from "../../config/StartupError.ts"
import { type ApiClient, makeApiClient } from "../http/ApiClient.ts"

export interface NomadApi extends ApiClient {
  /** A request to `path` with `query`, the region added when one is configured. */
  readonly request: (
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    query: Readonly<Record<string, string>>
  ) => HttpClientRequest.HttpClientRequest
}

export class NomadApiClient extends Context.Service<NomadApiClient, NomadApi>()("faas-nomad/NomadApiClient") {
  /** `client`, with Nomad's request builder for `region`. */
  static readonly make = (client: ApiClient, region: string | undefined): NomadApi => ({
    ...client,
    request: (method, path, query) => {
      const params = new URLSearchParams(query)
      if (region !== undefined) params.set("region", region)
      const search = params.toString()
      return HttpClientRequest.make(method)(client.url(search === "" ? path : `${path}?${search}`), {
        headers: { accept: "application/json" }
      })
    }
  })

  static readonly layer: Layer.Layer<NomadApiClient, StartupError, ProviderConfig> = Layer.effect(
    NomadApiClient,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const token = config.nomadToken
      const headers: Readonly<Record<string, string>> = token === undefined
        ? {}
        : { "x-nomad-token": Redacted.value(token) }
      const client = yield* makeApiClient({
        dependency: "nomad",
        baseUrl: config.nomadAddr,
        tls: {
          caFile: config.nomadCacert,
          certFile: config.nomadClientCert,
          keyFile: config.nomadClientKey,
          skipVerify: config.nomadSkipVerify,
          serverName: config.nomadTlsServerName
        },
        headers,
        timeout: config.apiTimeout
      })
      return NomadApiClient.make(client, config.nomadRegion)
    })
  )
}
