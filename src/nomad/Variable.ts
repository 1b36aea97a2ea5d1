/**
 * A Nomad Variable as `/v1/var/:path` and `/v1/vars` return it: the metadata
 * (with the lock, shown to management tokens and to its holder), and the
 * items where Nomad sends them (never in a list; left out when empty, as for
 * a variable made only to hold a lock).
 */
import { Schema } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"

/** `TTL` and `LockDelay` are Go durations (`15s`); `ID` is what every later lock operation must carry. */
export const VariableLock = Schema.Struct({
  ID: Schema.String,
  TTL: nullable(Schema.String),
  LockDelay: nullable(Schema.String)
})
export type VariableLock = typeof VariableLock.Type

export const VariableMetadata = Schema.Struct({
  Namespace: Schema.String,
  Path: Schema.String,
  Lock: nullable(VariableLock),
  CreateIndex: Schema.Number,
  CreateTime: nullable(Schema.Number),
  ModifyIndex: Schema.Number,
  ModifyTime: nullable(Schema.Number)
})
export type VariableMetadata = typeof VariableMetadata.Type

export const Variable = Schema.Struct({
  ...VariableMetadata.fields,
  Items: nullable(StringMap)
})
export type Variable = typeof Variable.Type
