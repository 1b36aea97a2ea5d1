/**
 * The infrastructure `faas-nomad start` runs on: Nomad over its HTTP API,
 * discovery through Consul or Nomad's native services (service_discovery),
 * and the start-up checks that say at once when a dependency is unreachable
 * or refuses the provider's token.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { ConsulApiClient } from "./consul/ConsulApiClient.ts"
import { DiscoveryConsul } from "./consul/DiscoveryConsul.ts"
import { MetricsLive } from "./metrics/PrometheusMetrics.ts"
import { DiscoveryNomad } from "./nomad/DiscoveryNomad.ts"
import { NomadApiClient } from "./nomad/NomadApiClient.ts"
import { NomadHttp } from "./nomad/NomadHttp.ts"
import { SecretStoreNomad } from "./nomad/SecretStoreNomad.ts"
import { ConsulStartupCheck, NomadStartupCheck, VaultStartupCheck } from "./StartupChecks.ts"
import { SecretStoreVault } from "./vault/SecretStoreVault.ts"
import { VaultApiClient } from "./vault/VaultApiClient.ts"

export const LiveCluster = Layer.unwrap(Effect.map(Effect.service(ProviderConfig), (config) => {
  const discovery = config.serviceDiscovery === "consul"
    ? Layer.merge(DiscoveryConsul, ConsulStartupCheck).pipe(Layer.provide(ConsulApiClient.layer))
    : DiscoveryNomad
  const secrets = config.secretsBackend === "vault"
    ? Layer.merge(SecretStoreVault, VaultStartupCheck).pipe(Layer.provide(VaultApiClient.layer))
    : SecretStoreNomad
  return Layer.mergeAll(NomadHttp, discovery, secrets, MetricsLive, NomadStartupCheck).pipe(
    Layer.provideMerge(NomadApiClient.layer)
  )
}))
