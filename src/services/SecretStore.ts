/**
 * Where function secrets live: Vault KV v2, Nomad Variables, or memory.
 * Values go in and are rendered into functions by Nomad; they never come
 * back out through the API.
 */
import { Context, type Effect } from "effect"
import type { ConcurrentModification, SecretExists, SecretNotFound, UpstreamError } from "../domain/errors.ts"
import type { SecretValue } from "../domain/Secret.ts"

export class SecretStore extends Context.Service<SecretStore, {
  readonly list: (namespace: string) => Effect.Effect<ReadonlyArray<string>, UpstreamError>
  readonly exists: (namespace: string, name: string) => Effect.Effect<boolean, UpstreamError>
  readonly create: (
    namespace: string,
    name: string,
    value: SecretValue
  ) => Effect.Effect<void, SecretExists | UpstreamError>
  /** Check-and-set where the backend offers it: a secret that keeps changing ends in ConcurrentModification. */
  readonly update: (
    namespace: string,
    name: string,
    value: SecretValue
  ) => Effect.Effect<void, SecretNotFound | ConcurrentModification | UpstreamError>
  readonly remove: (
    namespace: string,
    name: string
  ) => Effect.Effect<void, SecretNotFound | ConcurrentModification | UpstreamError>
}>()("faas-nomad/SecretStore") {}
