/**
 * One look at each dependency when the provider starts, in the background:
 * a line that says it is reachable, or exactly why not. The provider serves
 * either way; requests that need a missing dependency answer 502/503 naming
 * it, and work again when it is back, without a restart.
 */
import { Effect, Layer, type Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import type { Dependency } from "../domain/errors.ts"
import { ConsulApiClient } from "./consul/ConsulApiClient.ts"
import type { ApiClient } from "./http/ApiClient.ts"
import { NomadApiClient } from "./nomad/NomadApiClient.ts"
import { VaultApiClient } from "./vault/VaultApiClient.ts"

const names: Record<Dependency, string> = {
  nomad: "Nomad",
  consul: "Consul",
  vault: "Vault",
  secrets: "the secret store"
}

/**
 * Reachability through the leader endpoint (no token needed), then the token
 * through `acl/token/self` where one is set: a 403 there means it is refused.
 */
export const checkDependency = (
  client: ApiClient,
  where: string,
  token: Redacted.Redacted<string> | string | undefined,
  consequence: string
) =>
  Effect.gen(function*() {
    const name = names[client.dependency]
    const leader = yield* Effect.result(
      client.send(HttpClientRequest.get(client.url("/v1/status/leader")), { retry: "write" })
    )
    if (leader._tag === "Failure") {
      return yield* Effect.logWarning(
        `${name} at ${where} is not reachable (${leader.failure.message}); ${consequence}`
      )
    }
    if (leader.success.status !== 200) {
      return yield* Effect.logWarning(
        `${name} at ${where} answered ${leader.success.status} to a status check; ${consequence}`
      )
    }
    if (token !== undefined) {
      const self = yield* Effect.result(
        client.send(HttpClientRequest.get(client.url("/v1/acl/token/self")), { retry: "write" })
      )
      if (self._tag === "Success" && self.success.status === 403) {
        return yield* Effect.logWarning(
          `${name} at ${where} refused the provider's token (${self.success.body.trim()}); ${consequence}`
        )
      }
    }
    yield* Effect.logInfo(`${name} at ${where} is reachable`)
  })

export const NomadStartupCheck = Layer.effectDiscard(Effect.gen(function*() {
  const config = yield* ProviderConfig
  const nomad = yield* NomadApiClient
  const consequence = "function operations answer 503 until it is"
  yield* Effect.forkScoped(checkDependency(nomad, config.nomadAddr.origin, config.nomadToken, consequence))
}))

export const ConsulStartupCheck = Layer.effectDiscard(Effect.gen(function*() {
  const config = yield* ProviderConfig
  const consul = yield* ConsulApiClient
  const token = config.consulHttpTokenFile ?? config.consulHttpToken
  const consequence = "invocations of functions not watched yet answer 503 until it is"
  yield* Effect.forkScoped(checkDependency(consul, config.consulHttpAddr.origin, token, consequence))
}))

/** Vault's own health endpoint, then the token through `lookup-self`. */
export const VaultStartupCheck = Layer.effectDiscard(Effect.gen(function*() {
  const config = yield* ProviderConfig
  const vault = yield* VaultApiClient
  const where = config.vaultAddr.origin
  const consequence = "secret operations and deployments with secrets answer 503 until it is"
  yield* Effect.forkScoped(Effect.gen(function*() {
    const health = yield* Effect.result(
      vault.send(HttpClientRequest.get(vault.url("/v1/sys/health")), { retry: "write" })
    )
    if (health._tag === "Failure") {
      return yield* Effect.logWarning(`Vault at ${where} is not reachable (${health.failure.message}); ${consequence}`)
    }
    if (health.success.status === 503) return yield* Effect.logWarning(`Vault at ${where} is sealed; ${consequence}`)
    const self = yield* Effect.result(
      vault.send(HttpClientRequest.get(vault.url("/v1/auth/token/lookup-self")), { retry: "write" })
    )
    if (self._tag === "Success" && self.success.status === 403) {
      return yield* Effect.logWarning(`Vault at ${where} refused VAULT_TOKEN; ${consequence}`)
    }
    yield* Effect.logInfo(`Vault at ${where} is reachable`)
  }))
}))
