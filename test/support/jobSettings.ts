/** The job settings a default configuration gives, for tests of the deployment ⇄ job translation. */
import type { JobSettings } from "../../src/jobs/JobSettings.ts"

export const defaultJobSettings: JobSettings = {
  jobPrefix: "OpenFaaS-",
  datacenters: ["*"],
  region: undefined,
  networkMode: "host",
  serviceProvider: "consul",
  maxReplicas: 1000,
  registryCredentials: new Map(),
  secrets: { backend: "vault", mount: "secret", prefix: "openfaas", role: undefined, policies: [] }
}
