/**
 * The faas-provider `FunctionDeployment` body of POST and PUT /system/functions.
 * Decoding is as forgiving as Go's where clients rely on it (unknown keys are
 * ignored, `null` maps and lists are accepted) and strict where it matters.
 */
import { Schema } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"
import { FunctionName } from "./FunctionName.ts"
import { SecretName } from "./Secret.ts"

/**
 * Kubernetes-style quantities, kept as the strings the client sent. Titles and
 * descriptions document them; an identifier would change how problems read
 * ("Expected FunctionResources" for "Expected object"), so there is none.
 */
export const FunctionResources = Schema.Struct({
  memory: Schema.optionalKey(Schema.String).annotate({
    description: "Memory, such as 128Mi or 1Gi",
    examples: ["128Mi"]
  }),
  cpu: Schema.optionalKey(Schema.String).annotate({
    description: "CPU, such as 500m, 2 or 800MHz",
    examples: ["500m"]
  }),
  "nvidia.com/gpu": Schema.optionalKey(Schema.String).annotate({ description: "NVIDIA GPUs, a whole number" }),
  "amd.com/gpu": Schema.optionalKey(Schema.String).annotate({ description: "AMD GPUs, a whole number" }),
  "intel.com/gpu": Schema.optionalKey(Schema.String).annotate({ description: "Intel GPUs, a whole number" })
}).annotate({ title: "FunctionResources", description: "Resources, as quantities" })
export type FunctionResources = typeof FunctionResources.Type

export const FunctionDeployment = Schema.Struct({
  service: FunctionName.annotate({
    description: "The function's name, a DNS-1123 label",
    examples: [FunctionName.make("figlet")]
  }),
  image: Schema.String.check(
    Schema.isPattern(/^\S+$/, { message: "must be a non-empty image reference without spaces" })
  ).annotate({ description: "The image to run", examples: ["ghcr.io/openfaas/figlet:latest"] }),
  namespace: Schema.optionalKey(Schema.String).annotate({
    description: "The Nomad namespace; the `namespace` query wins, and the default is `default`",
    examples: ["default"]
  }),
  envProcess: Schema.optionalKey(Schema.String).annotate({
    description: "The process the watchdog forks",
    examples: ["figlet"]
  }),
  envVars: nullable(StringMap).annotate({ description: "Environment of the function's process" }),
  constraints: nullable(Schema.Array(Schema.String)).annotate({
    description: "Placement constraints: `<attribute> <operator> <value>`",
    examples: [["node.datacenter == dc1"]]
  }),
  secrets: nullable(Schema.Array(SecretName)).annotate({
    description: "Secrets to mount at /var/openfaas/secrets; each must exist in the namespace"
  }),
  labels: nullable(StringMap).annotate({
    description: "Labels; `com.openfaas.*` labels set scaling, timeouts, health checks, volumes and updates",
    examples: [{ "com.openfaas.scale.min": "1" }]
  }),
  annotations: nullable(StringMap).annotate({ description: "Annotations, kept with the function" }),
  limits: nullable(FunctionResources),
  requests: nullable(FunctionResources),
  readOnlyRootFilesystem: Schema.optionalKey(Schema.Boolean).annotate({
    description: "Mount the container's root filesystem read-only"
  }),
  /** Base64 of `user:password` for the image's registry; `""` removes the function's own, absent or null keeps them. */
  registryAuth: nullable(Schema.RedactedFromValue(Schema.String)).annotate({
    description: "Base64 of `user:password` for the image's registry; \"\" removes the function's own"
  })
}).annotate({
  title: "FunctionDeployment",
  description: "A function to deploy or update. Unknown keys are ignored; `null` maps and lists count as absent."
})
export type FunctionDeployment = typeof FunctionDeployment.Type
