/**
 * What a function's job carries in its Meta so the deployment can be read back
 * exactly as it was sent: the deployment itself as JSON (without its registry
 * credentials), when the function was first created, and whether its registry
 * credentials are its own or the provider's defaults.
 */
import { Option, Schema } from "effect"
import { FunctionDeployment } from "../domain/FunctionDeployment.ts"

export const metaKeys = {
  function: "openfaas_function",
  deployment: "openfaas_deployment",
  createdAt: "openfaas_created_at",
  /** `function` or `default`: whose registry credentials the job's docker `auth` holds. */
  registryAuth: "openfaas_registry_auth"
} as const

const DeploymentJson = Schema.fromJsonString(FunctionDeployment)
const decodeDeploymentJson = Schema.decodeUnknownOption(DeploymentJson)

/** The deployment as it was sent, less its registry credentials, which never leave the job's docker `auth`. */
export const encodeDeployment = (deployment: FunctionDeployment): string => {
  const { registryAuth: _credentials, ...recorded } = deployment
  return JSON.stringify(recorded)
}

export const deploymentFromMeta = (
  meta: Readonly<Record<string, string>> | null | undefined
): FunctionDeployment | undefined => {
  const json = meta?.[metaKeys.deployment]
  return json === undefined ? undefined : Option.getOrUndefined(decodeDeploymentJson(json))
}
