/**
 * Which cluster the provider serves, as its start line says: the dev cluster, or the Nomad, Consul and Vault it
 * talks to. Addresses are shown without any user info they carry, and no token is ever part of it.
 */
import type { Command } from "./commandLine.ts"
import type { ProviderSettings } from "./settings.ts"

const address = (url: URL) => `${url.origin}${url.pathname === "/" ? "" : url.pathname}`

export const clusterDescription = (command: Command, settings: ProviderSettings): string => {
  if (command === "dev") {
    return "on the dev cluster (Nomad, service discovery and secrets in memory; functions run as local processes)"
  }
  const discovery = settings.serviceDiscovery === "consul" ? `Consul at ${address(settings.consulHttpAddr)}` : "Nomad"
  const secrets = settings.secretsBackend === "vault"
    ? `Vault at ${address(settings.vaultAddr)}`
    : "Nomad Variables"
  return `on Nomad at ${address(settings.nomadAddr)} (namespace ${settings.nomadNamespace}), ` +
    `service discovery ${discovery}, secrets ${secrets}`
}
