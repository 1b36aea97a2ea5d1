/**
 * Nomad (running tasks with the echo driver), Consul and Vault simulators for
 * the scope, and the settings that point a live provider at them: what the
 * tests of failing dependencies start from.
 */
import { Effect } from "effect"
import { ConsulSimulator } from "../sim/consul/ConsulSimulator.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { VaultSimulator } from "../sim/vault/VaultSimulator.ts"
import { echoDriver } from "./simDriver.ts"

export const simulatedDependencies = (apiTimeout: string) =>
  Effect.gen(function*() {
    const consul = yield* ConsulSimulator.scoped()
    const nomad = yield* NomadSimulator.scoped({ driver: echoDriver(), consul: consul.state })
    const vault = yield* VaultSimulator.scoped()
    const env = {
      NOMAD_ADDR: nomad.url,
      CONSUL_HTTP_ADDR: consul.url,
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: "root",
      api_timeout: apiTimeout
    }
    return { consul, nomad, vault, env }
  })
