/**
 * The one HTTP client to Vault: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE and
 * TLS, as Vault's own CLI reads them. While the token is renewable it is
 * renewed at half its remaining TTL, so a long-running provider keeps it.
 */
import { Context, Duration, Effect, Layer, Redacted, Schedule, Schema } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import type { StartupError } from "../../config/StartupError.ts"
import { decodeAnswer } from "../http/answers.ts"
import { type ApiAnswer, type ApiClient, makeApiClient } from "../http/ApiClient.ts"

/** Vault's error bodies: `{"errors": [...]}`; the joined messages, or the status when there are none. */
export const vaultErrorText = (answer: ApiAnswer): string => {
  try {
    const errors = (JSON.parse(answer.body) as { errors?: Array<unknown> }).errors
    if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join("; ")
  } catch {
    // not JSON
  }
  return answer.body.trim() || `HTTP ${answer.status}`
}

const TokenInfo = Schema.Struct({
  data: Schema.Struct({ ttl: Schema.Number, renewable: Schema.Boolean })
})
const Renewal = Schema.Struct({
  auth: Schema.Struct({ lease_duration: Schema.Number, renewable: Schema.Boolean })
})

const decodeTokenInfo = decodeAnswer("vault", TokenInfo)
const decodeRenewal = decodeAnswer("vault", Renewal)

/** Keeps the token alive: renews at half its TTL, backs off on failure, stops when it cannot be renewed. */
const renewForever = (client: ApiClient) =>
  Effect.gen(function*() {
    const lookup = yield* client.send(HttpClientRequest.get(client.url("/v1/auth/token/lookup-self")), {
      retry: "read"
    })
    if (lookup.status !== 200) {
      return yield* Effect.logWarning(
        `Vault refused the token lookup (${vaultErrorText(lookup)}); the token is not renewed`
      )
    }
    let { renewable, ttl } = (yield* decodeTokenInfo(lookup, "token lookup")).data
    while (renewable && ttl > 0) {
      yield* Effect.sleep(Duration.seconds(Math.max(1, ttl / 2)))
      const renewed = yield* client.send(
        HttpClientRequest.post(client.url("/v1/auth/token/renew-self"), { body: HttpBody.jsonUnsafe({}) }),
        { retry: "write" }
      )
      if (renewed.status !== 200) {
        yield* Effect.logWarning(`Vault refused to renew the token: ${vaultErrorText(renewed)}`)
        return
      }
      const auth = (yield* decodeRenewal(renewed, "token renewal")).auth
      renewable = auth.renewable
      ttl = auth.lease_duration
    }
  }).pipe(
    Effect.tapError((error) => Effect.logWarning(`Vault token renewal failed: ${error.message}; retrying`)),
    Effect.retry(Schedule.min([Schedule.exponential("1 second", 2), Schedule.spaced("1 minute")])),
    Effect.ignore
  )

export class VaultApiClient extends Context.Service<VaultApiClient, ApiClient>()("faas-nomad/VaultApiClient") {
  static readonly layer: Layer.Layer<VaultApiClient, StartupError, ProviderConfig> = Layer.effect(
    VaultApiClient,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const headers: Record<string, string> = { "x-vault-request": "true" }
      if (config.vaultToken !== undefined) headers["x-vault-token"] = Redacted.value(config.vaultToken)
      if (config.vaultNamespace !== undefined) headers["x-vault-namespace"] = config.vaultNamespace
      const client = yield* makeApiClient({
        dependency: "vault",
        baseUrl: config.vaultAddr,
        tls: {
          caFile: config.vaultCacert,
          certFile: config.vaultClientCert,
          keyFile: config.vaultClientKey,
          skipVerify: config.vaultSkipVerify,
          serverName: config.vaultTlsServerName
        },
        headers,
        timeout: config.apiTimeout
      })
      if (config.vaultToken !== undefined) yield* Effect.forkScoped(renewForever(client))
      return client
    })
  )
}
