/** The smaller faas-provider request bodies and query strings. */
import { Schema } from "effect"
import { FunctionName } from "./FunctionName.ts"

export const ScaleServiceRequest = Schema.Struct({
  serviceName: Schema.optionalKey(Schema.String).annotate({
    description: "The function's name, as faas-cli sends it; the path's name counts"
  }),
  namespace: Schema.optionalKey(Schema.String).annotate({ description: "The Nomad namespace, if not the query's" }),
  replicas: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be a whole number, 0 or more" }))
    .annotate({ description: "Instances wanted; 0 stops them all", examples: [2] })
}).annotate({ title: "ScaleServiceRequest", description: "How many instances a function should have" })
export type ScaleServiceRequest = typeof ScaleServiceRequest.Type

export const DeleteFunctionRequest = Schema.Struct({
  functionName: FunctionName.annotate({
    description: "The function to delete",
    examples: [FunctionName.make("figlet")]
  }),
  namespace: Schema.optionalKey(Schema.String).annotate({ description: "The Nomad namespace, if not the query's" })
}).annotate({ title: "DeleteFunctionRequest", description: "The function to delete" })
export type DeleteFunctionRequest = typeof DeleteFunctionRequest.Type

/** `?namespace=`: an empty value means the default namespace. */
export const NamespaceQuery = Schema.Struct({
  namespace: Schema.optionalKey(Schema.String).annotate({
    description: "The Nomad namespace; empty or absent for the default. It wins over a body's namespace.",
    examples: ["default"]
  })
})

/** GET /system/logs's query, as faas-provider reads it: text, each checked by the route. */
export const LogsQuery = Schema.Struct({
  name: Schema.optionalKey(Schema.String).annotate({ description: "The function (required)", examples: ["figlet"] }),
  namespace: NamespaceQuery.fields.namespace,
  instance: Schema.optionalKey(Schema.String).annotate({
    description: "One instance: a Nomad allocation ID, or a prefix of one"
  }),
  tail: Schema.optionalKey(Schema.String).annotate({
    description: "The last lines of each instance, a whole number; 0 or less for all",
    examples: ["100"]
  }),
  since: Schema.optionalKey(Schema.String).annotate({
    description: "Lines from this RFC 3339 time on",
    examples: ["2026-11-29T10:00:00Z"]
  }),
  follow: Schema.optionalKey(Schema.String).annotate({
    description: "Keep the stream open for new lines (true, 1, t...: as Go's strconv.ParseBool)",
    examples: ["true"]
  })
})
