/** Where function secrets live: Vault KV v2, Nomad Variables, or memory. Values never leave it through the API. */
import { Context, type Effect, Schema } from "effect"
import type { UpstreamError } from "../domain/errors.ts"

export class SecretNotFound extends Schema.TaggedError<SecretNotFound>()("SecretNotFound", {
  name: Schema.String,
  namespace: Schema.String
}) {}

export class SecretExists extends Schema.TaggedError<SecretExists>()("SecretExists", {
  name: Schema.String,
  namespace: Schema.String
}) {}

export class SecretStore extends Context.Service<SecretStore, {
  readonly list: (namespace: string) => Effect.Effect<ReadonlyArray<string>, UpstreamError>
  readonly exists: (namespace: string, name: string) => Effect.Effect<boolean, UpstreamError>
  readonly create: (
    namespace: string,
    name: string,
    value: Uint8Array
  ) => Effect.Effect<void, SecretExists | UpstreamError>
  readonly update: (
    namespace: string,
    name: string,
    value: Uint8Array
  ) => Effect.Effect<void, SecretNotFound | UpstreamError>
  readonly remove: (namespace: string, name: string) => Effect.Effect<void, SecretNotFound | UpstreamError>
}>()("faas-nomad/SecretStore") {}
