/**
 * The infrastructure `faas-nomad start` runs on: Nomad over its HTTP API,
 * discovery through Consul or Nomad's native services (service_discovery),
 * and the start-up checks that say at once when a dependency is unreachable
 * or refuses the provider's token.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { ConsulApiClient } from "./consul/ConsulApiClient.ts"
import * as DiscoveryConsul from "./consul/DiscoveryConsul.ts"
import * as LeadershipMemory from "./memory/LeadershipMemory.ts"
import * as LoadExchangeMemory from "./memory/LoadExchangeMemory.ts"
import * as PrometheusMetrics from "./metrics/PrometheusMetrics.ts"
import * as DiscoveryNomad from "./nomad/DiscoveryNomad.ts"
import { NomadApiClient } from "./nomad/NomadApiClient.ts"
import * as NomadHttp from "./nomad/NomadHttp.ts"
import * as SecretStoreNomad from "./nomad/SecretStoreNomad.ts"
import { ConsulStartupCheck, NomadStartupCheck, VaultStartupCheck } from "./StartupChecks.ts"
import * as SecretStoreVault from "./vault/SecretStoreVault.ts"
import { VaultApiClient } from "./vault/VaultApiClient.ts"

export const LiveCluster = Layer.unwrap(Effect.map(Effect.service(ProviderConfig), (config) => {
  const discovery = config.serviceDiscovery === "consul"
    ? Layer.merge(DiscoveryConsul.layer, ConsulStartupCheck).pipe(Layer.provide(ConsulApiClient.layer))
    : DiscoveryNomad.layer
  const secrets = config.secretsBackend === "vault"
    ? Layer.merge(SecretStoreVault.layer, VaultStartupCheck).pipe(Layer.provide(VaultApiClient.layer))
    : SecretStoreNomad.layer
  return Layer.mergeAll(
    NomadHttp.layer,
    discovery,
    secrets,
    PrometheusMetrics.layer,
    LeadershipMemory.layer,
    LoadExchangeMemory.layer,
    NomadStartupCheck
  ).pipe(
    Layer.provideMerge(NomadApiClient.layer)
  )
}))
