/** The faas-provider `FunctionStatus`: a deployment as it was sent, plus replica counts and times. */
import { Schema } from "effect"
import { StringMap } from "../schema/fields.ts"
import { FunctionResources } from "./FunctionDeployment.ts"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const FunctionStatus = Schema.Struct({
  name: Schema.String.annotate({ description: "The function's name", examples: ["figlet"] }),
  image: Schema.String.annotate({ description: "The image it runs", examples: ["ghcr.io/openfaas/figlet:latest"] }),
  namespace: Schema.String.annotate({ description: "The Nomad namespace it runs in", examples: ["default"] }),
  envProcess: Schema.optionalKey(Schema.String).annotate({ description: "The process the watchdog forks" }),
  envVars: Schema.optionalKey(StringMap).annotate({ description: "Environment, when any was sent" }),
  constraints: Schema.optionalKey(Schema.Array(Schema.String)).annotate({
    description: "Placement constraints, when any were sent"
  }),
  secrets: Schema.optionalKey(Schema.Array(Schema.String)).annotate({
    description: "Secrets mounted at /var/openfaas/secrets, when any were sent"
  }),
  labels: StringMap.annotate({
    description: "Labels as sent, plus faas_function",
    examples: [{ faas_function: "figlet", "com.openfaas.scale.min": "1" }]
  }),
  annotations: StringMap.annotate({ description: "Annotations as sent", examples: [{}] }),
  limits: Schema.optionalKey(FunctionResources),
  requests: Schema.optionalKey(FunctionResources),
  readOnlyRootFilesystem: Schema.optionalKey(Schema.Boolean).annotate({ description: "Present, and true, when set" }),
  invocationCount: Count.annotate({ description: "Invocations counted since the provider started", examples: [0] }),
  replicas: Count.annotate({ description: "Desired instances", examples: [1] }),
  availableReplicas: Count.annotate({ description: "Instances that would serve a request now", examples: [1] }),
  createdAt: Schema.String.annotate({
    description: "When it was first deployed, RFC 3339",
    examples: ["2026-11-29T10:00:00.000Z"]
  })
}).annotate({ identifier: "FunctionStatus", description: "A deployed function and its replicas" })
export type FunctionStatus = typeof FunctionStatus.Type
