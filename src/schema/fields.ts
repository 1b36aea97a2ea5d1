/** Schema fields the contract, Nomad's wire types and the adapters' decoders share. */
import { Schema } from "effect"

/** A field that may be absent or `null`, as Go's encoders and lenient clients send it. */
export const nullable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))

/** A map of strings: labels, annotations, environment, Meta. */
export const StringMap = Schema.Record(Schema.String, Schema.String)
