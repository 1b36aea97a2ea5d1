/**
 * The infrastructure `faas-nomad start` runs on: Nomad over its HTTP API,
 * discovery through Consul or Nomad's native services (service_discovery),
 * and the start-up checks that say at once when a dependency is unreachable
 * or refuses the provider's token.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { DiscoveryConsul } from "./DiscoveryConsul.ts"
import { DiscoveryNomad } from "./DiscoveryNomad.ts"
import { ConsulApiClient } from "./http/ConsulApiClient.ts"
import { NomadApiClient } from "./http/NomadApiClient.ts"
import { VaultApiClient } from "./http/VaultApiClient.ts"
import { MetricsLive } from "./MetricsLive.ts"
import { NomadHttp } from "./NomadHttp.ts"
import { SecretStoreNomad } from "./SecretStoreNomad.ts"
import { SecretStoreVault } from "./SecretStoreVault.ts"
import { ConsulStartupCheck, NomadStartupCheck, VaultStartupCheck } from "./StartupChecks.ts"

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
