/**
 * The faas-provider secret bodies. A secret's value never leaves the provider
 * through the API: listing gives names only.
 */
import { Schema } from "effect"

export const SecretName = Schema.String.check(
  Schema.isPattern(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/, {
    message: "must be 1 to 253 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/')"
  }),
  Schema.makeFilter((name: string) => (name.includes("..") ? "must not contain '..'" : undefined))
).pipe(Schema.brand("SecretName"))
export type SecretName = typeof SecretName.Type

export const SecretRequest = Schema.Struct({
  name: SecretName,
  namespace: Schema.optionalKey(Schema.String),
  value: Schema.optionalKey(Schema.String),
  /** Base64, as Go encodes `[]byte`; wins over `value` when not empty. */
  rawValue: Schema.optionalKey(Schema.NullOr(Schema.String))
})
export type SecretRequest = typeof SecretRequest.Type

export const SecretDeleteRequest = Schema.Struct({
  name: SecretName,
  namespace: Schema.optionalKey(Schema.String)
})

/** A secret's content: text as sent in `value`, or bytes from `rawValue`. */
export type SecretValue =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Binary"; readonly bytes: Uint8Array }
