/** The provider settings that shape every function's Nomad job. */
import { Duration } from "effect"
import type { ProviderSettings } from "../config/settings.ts"
import { quoted } from "../schema/problemText.ts"
import type { RegistryCredentials } from "./registryAuth.ts"
import type { ScalingBlockSettings } from "./scalingBlock.ts"

/** Where a function's secrets come from, which decides how its job renders them. */
export type SecretSource =
  | {
    readonly backend: "vault"
    readonly mount: string
    readonly prefix: string
    readonly role: string | undefined
    readonly policies: ReadonlyArray<string>
  }
  | { readonly backend: "nomad"; readonly prefix: string }

export interface JobSettings {
  readonly jobPrefix: string
  /** Used when a deployment's constraints name no datacenter. */
  readonly datacenters: ReadonlyArray<string>
  readonly region: string | undefined
  readonly networkMode: "host" | "bridge"
  /** Who registers and health-checks the function's service. */
  readonly serviceProvider: "consul" | "nomad"
  readonly secrets: SecretSource
  /** Most instances one function may run. */
  readonly maxReplicas: number
  /** Credentials for functions without `registryAuth` of their own, by registry (`registry_auth_file`). */
  readonly registryCredentials: RegistryCredentials
  /** With `autoscaler=nomad`: how the Scaling block of an autoscaled function's group is evaluated. */
  readonly scaling?: ScalingBlockSettings | undefined
}

/** A duration as Go reads it: whole seconds as `5s`, else milliseconds. */
const goDuration = (d: Duration.Duration) => {
  const millis = Duration.toMillis(d)
  return millis % 1000 === 0 ? `${millis / 1000}s` : `${Math.round(millis)}ms`
}

/** A mount or prefix as given (`/secret/`), as paths are joined (`secret`). */
const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, "")

export const jobSettingsFrom = (
  settings: ProviderSettings,
  registryCredentials: RegistryCredentials = new Map()
): JobSettings => ({
  jobPrefix: settings.jobPrefix,
  datacenters: settings.jobDatacenters.length > 0 ? settings.jobDatacenters : ["*"],
  region: settings.nomadRegion,
  networkMode: settings.networkMode,
  serviceProvider: settings.serviceDiscovery,
  maxReplicas: settings.maxReplicas,
  registryCredentials,
  scaling: settings.autoscaler === "nomad"
    ? {
      evaluationInterval: goDuration(settings.autoscalerInterval),
      cooldown: goDuration(settings.autoscalerScaleDownDelay)
    }
    : undefined,
  secrets: settings.secretsBackend === "vault"
    ? {
      backend: "vault",
      mount: trimSlashes(settings.vaultKvMount),
      prefix: trimSlashes(settings.vaultSecretPrefix),
      role: settings.vaultRole,
      policies: settings.vaultPolicies ?? []
    }
    : { backend: "nomad", prefix: trimSlashes(settings.nomadSecretPrefix) }
})

/** Nomad's rule for service names (RFC 1123, case-insensitive), which every provider must meet. */
const serviceNamePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export const jobId = (settings: JobSettings, name: string): string => `${settings.jobPrefix}${name}`

/**
 * The service a function's instances register as: the job ID in lower case,
 * so it cannot collide with other services and reads well in Consul DNS.
 */
export const serviceName = (settings: JobSettings, name: string): string =>
  `${settings.jobPrefix}${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-")

/** Why `name` cannot be a service name under these settings, if it cannot. */
export const serviceNameProblem = (settings: JobSettings, name: string): string | undefined => {
  const service = serviceName(settings, name)
  if (service.length > 63) {
    return `service: with job_prefix "${settings.jobPrefix}" a function name can have at most ${
      63 - settings.jobPrefix.length
    } characters (Nomad service names are limited to 63)`
  }
  return serviceNamePattern.test(service)
    ? undefined
    : `service: ${quoted(service)} is not a valid Nomad service name; check job_prefix`
}
