/**
 * A check-and-set write on an existing secret, for the stores whose backend
 * offers one (Vault KV v2, Nomad Variables): read the secret's version, write
 * on it, and when another writer got in between, read again, a few times.
 */
import { Effect } from "effect"
import { type Dependency, SecretNotFound, UpstreamError } from "../../domain/errors.ts"
import type { ApiAnswer } from "./ApiClient.ts"

export interface CurrentVersionWrite<V> {
  readonly dependency: Dependency
  readonly namespace: string
  readonly name: string
  /** The secret's version now; undefined when it does not exist. */
  readonly version: Effect.Effect<V | undefined, UpstreamError>
  readonly write: (version: V) => Effect.Effect<ApiAnswer, UpstreamError>
  /** The backend refused the write because the version had moved on. */
  readonly lostRace: (answer: ApiAnswer) => boolean
  /** What any other refusal means. */
  readonly refused: (answer: ApiAnswer) => UpstreamError
}

export const writeOnCurrentVersion = <V>(
  w: CurrentVersionWrite<V>
): Effect.Effect<void, SecretNotFound | UpstreamError> =>
  Effect.gen(function*() {
    const version = yield* w.version
    if (version === undefined) return yield* new SecretNotFound({ name: w.name, namespace: w.namespace })
    const answer = yield* w.write(version)
    if (w.lostRace(answer)) return yield* Effect.fail("changed" as const)
    if (answer.status !== 200 && answer.status !== 204) return yield* w.refused(answer)
  }).pipe(
    Effect.retry({ while: (e) => e === "changed", times: 4 }),
    Effect.catchIf((e): e is "changed" => e === "changed", () =>
      Effect.fail(
        new UpstreamError({
          dependency: w.dependency,
          reason: "Unavailable",
          message: `secret ${w.name} kept changing`
        })
      ))
  )
