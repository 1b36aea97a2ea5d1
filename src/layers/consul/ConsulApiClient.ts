/** The one HTTP client to Consul: CONSUL_HTTP_ADDR, the token (or its file), and TLS as Consul's own CLI reads them. */
import { Context, Effect, Layer, Redacted } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { StartupError } from "../../config/StartupError.ts"
import { type ApiClient, makeApiClient, readFile } from "../http/ApiClient.ts"

/** The token file wins over the token, as in Consul's CLI. */
const consulToken = (
  tokenFile: string | undefined,
  token: Redacted.Redacted<string> | undefined
): Effect.Effect<string | undefined, StartupError> =>
  tokenFile !== undefined
    ? Effect.map(readFile("CONSUL_HTTP_TOKEN_FILE", tokenFile), (text) => text?.trim())
    : Effect.succeed(token === undefined ? undefined : Redacted.value(token))

export class ConsulApiClient extends Context.Service<ConsulApiClient, ApiClient>()("faas-nomad/ConsulApiClient") {
  static readonly layer: Layer.Layer<ConsulApiClient, StartupError, ProviderConfig> = Layer.effect(
    ConsulApiClient,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const token = yield* consulToken(config.consulHttpTokenFile, config.consulHttpToken)
      const baseUrl = new URL(config.consulHttpAddr.href)
      if (config.consulHttpSsl && baseUrl.protocol === "http:") baseUrl.protocol = "https:"
      const headers: Readonly<Record<string, string>> = token === undefined ? {} : { "x-consul-token": token }
      return yield* makeApiClient({
        dependency: "consul",
        baseUrl,
        tls: {
          caFile: config.consulCacert,
          certFile: config.consulClientCert,
          keyFile: config.consulClientKey,
          skipVerify: !config.consulHttpSslVerify,
          serverName: config.consulTlsServerName
        },
        headers,
        timeout: config.apiTimeout
      })
    })
  )
}
