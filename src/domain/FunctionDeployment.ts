/**
 * The faas-provider `FunctionDeployment` body of POST and PUT /system/functions.
 * Decoding is as forgiving as Go's where clients rely on it (unknown keys are
 * ignored, `null` maps and lists are accepted) and strict where it matters.
 */
import { Schema } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"
import { FunctionName } from "./FunctionName.ts"
import { SecretName } from "./Secret.ts"

/** Kubernetes-style quantities, kept as the strings the client sent. */
export const FunctionResources = Schema.Struct({
  memory: Schema.optionalKey(Schema.String),
  cpu: Schema.optionalKey(Schema.String),
  "nvidia.com/gpu": Schema.optionalKey(Schema.String),
  "amd.com/gpu": Schema.optionalKey(Schema.String),
  "intel.com/gpu": Schema.optionalKey(Schema.String)
})
export type FunctionResources = typeof FunctionResources.Type

export const FunctionDeployment = Schema.Struct({
  service: FunctionName,
  image: Schema.String.check(
    Schema.isPattern(/^\S+$/, { message: "must be a non-empty image reference without spaces" })
  ),
  namespace: Schema.optionalKey(Schema.String),
  envProcess: Schema.optionalKey(Schema.String),
  envVars: nullable(StringMap),
  constraints: nullable(Schema.Array(Schema.String)),
  secrets: nullable(Schema.Array(SecretName)),
  labels: nullable(StringMap),
  annotations: nullable(StringMap),
  limits: nullable(FunctionResources),
  requests: nullable(FunctionResources),
  readOnlyRootFilesystem: Schema.optionalKey(Schema.Boolean),
  /** Base64 of `user:password` for the image's registry; `""` removes the function's own, absent or null keeps them. */
  registryAuth: nullable(Schema.RedactedFromValue(Schema.String))
})
export type FunctionDeployment = typeof FunctionDeployment.Type
