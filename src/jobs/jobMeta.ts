/**
 * What a function's job carries in its Meta so the deployment can be read back
 * exactly as it was sent: the deployment itself as JSON, and when the function
 * was first created.
 */
import { Option, Schema } from "effect"
import { FunctionDeployment } from "../domain/FunctionDeployment.ts"

export const metaKeys = {
  function: "openfaas_function",
  deployment: "openfaas_deployment",
  createdAt: "openfaas_created_at"
} as const

const DeploymentJson = Schema.fromJsonString(FunctionDeployment)
const decodeDeploymentJson = Schema.decodeUnknownOption(DeploymentJson)

export const encodeDeployment = (deployment: FunctionDeployment): string => JSON.stringify(deployment)

export const deploymentFromMeta = (
  meta: Readonly<Record<string, string>> | null | undefined
): FunctionDeployment | undefined => {
  const json = meta?.[metaKeys.deployment]
  return json === undefined ? undefined : Option.getOrUndefined(decodeDeploymentJson(json))
}
