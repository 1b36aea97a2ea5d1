/** A Nomad namespace, as `GET /v1/namespaces` and `GET /v1/namespace/:name` return it. */
import { Schema } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"

export const Namespace = Schema.Struct({
  Name: Schema.String,
  Description: nullable(Schema.String),
  Meta: nullable(StringMap)
})
export type Namespace = typeof Namespace.Type
