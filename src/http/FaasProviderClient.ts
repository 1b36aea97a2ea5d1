/**
 * A typed client of a provider's API, derived from the same declaration the
 * server is built from: a method per endpoint (`client.functions.deploy`,
 * `client.functions.scale`, `client.secrets.create`...) that takes and
 * returns the contract's types and fails with the error the provider
 * answered, read back from its text (`FunctionNotFound`, `UpstreamError`
 * naming the dependency...). It talks to any faas-provider that answers as
 * this one does; invocations (`/function/{name}`) are plain HTTP, outside
 * the API.
 */
import { Context, Effect, Layer, type Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { ProviderApi } from "./api/ProviderApi.ts"

export interface FaasProviderClientOptions {
  /** Where the provider serves, e.g. `http://127.0.0.1:8081`; absent when the `HttpClient` is pointed there already. */
  readonly baseUrl?: string | URL | undefined
  /** Basic auth, when the provider has it on (`basic_auth`): the gateway's credentials. */
  readonly credentials?: {
    readonly user: string
    readonly password: Redacted.Redacted<string>
  } | undefined
}

const makeClient = (options: FaasProviderClientOptions = {}) =>
  HttpApiClient.make(ProviderApi, {
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.credentials === undefined ? {} : {
      transformClient: HttpClient.mapRequest(
        HttpClientRequest.basicAuth(options.credentials.user, options.credentials.password)
      )
    })
  })

export class FaasProviderClient extends Context.Service<
  FaasProviderClient,
  Effect.Success<ReturnType<typeof makeClient>>
>()("faas-nomad/FaasProviderClient") {
  /** A client over the `HttpClient` in context. */
  static readonly make = makeClient

  static readonly layer = (
    options: FaasProviderClientOptions = {}
  ): Layer.Layer<FaasProviderClient, never, HttpClient.HttpClient> =>
    Layer.effect(FaasProviderClient, makeClient(options))
}
