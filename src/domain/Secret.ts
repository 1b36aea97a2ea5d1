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
  name: SecretName.annotate({ description: "The secret's name", examples: [SecretName.make("api-key")] }),
  namespace: Schema.optionalKey(Schema.String).annotate({ description: "The Nomad namespace, if not the query's" }),
  value: Schema.optionalKey(Schema.String).annotate({ description: "The secret as text", examples: ["s3cr3t"] }),
  /** Base64, as Go encodes `[]byte`; wins over `value` when not empty. */
  rawValue: Schema.optionalKey(Schema.NullOr(Schema.String)).annotate({
    description: "The secret as bytes, base64 (standard alphabet, padded); wins over `value` when not empty"
  })
}).annotate({ title: "Secret", description: "A secret and its value, text or bytes" })
export type SecretRequest = typeof SecretRequest.Type

export const SecretDeleteRequest = Schema.Struct({
  name: SecretName.annotate({ description: "The secret to delete", examples: [SecretName.make("api-key")] }),
  namespace: Schema.optionalKey(Schema.String).annotate({ description: "The Nomad namespace, if not the query's" })
}).annotate({ title: "SecretDeleteRequest", description: "The secret to delete" })

/** A secret as listed: its name and namespace, never its value. */
export const SecretListEntry = Schema.Struct({
  name: Schema.String.annotate({ examples: ["api-key"] }),
  namespace: Schema.String.annotate({ examples: ["default"] })
}).annotate({ identifier: "SecretListEntry", description: "A secret's name and namespace; values never leave" })

/** A secret's content: text as sent in `value`, or bytes from `rawValue`. */
export type SecretValue =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Binary"; readonly bytes: Uint8Array }
