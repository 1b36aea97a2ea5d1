/** The smaller faas-provider request bodies and query strings. */
import { Schema } from "effect"
import { FunctionName } from "./FunctionName.ts"

export const ScaleServiceRequest = Schema.Struct({
  serviceName: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  replicas: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be a whole number, 0 or more" }))
})
export type ScaleServiceRequest = typeof ScaleServiceRequest.Type

export const DeleteFunctionRequest = Schema.Struct({
  functionName: FunctionName,
  namespace: Schema.optionalKey(Schema.String)
})
export type DeleteFunctionRequest = typeof DeleteFunctionRequest.Type

/** `?namespace=`: an empty value means the default namespace. */
export const NamespaceQuery = Schema.Struct({
  namespace: Schema.optionalKey(Schema.String)
})
