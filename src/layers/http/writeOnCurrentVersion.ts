/**
 * A check-and-set write on an existing secret, for the stores whose backend
 * offers one (Vault KV v2, Nomad Variables): read the secret's version, write
 * on it, and when another writer got in between, read again, as every
 * check-and-set write is retried (`retryLostRaces`).
 */
import { Data, Effect } from "effect"
import { ConcurrentModification, SecretNotFound, type UpstreamError } from "../../domain/errors.ts"
import { retryLostRaces } from "../../services/checkAndSet.ts"
import type { ApiAnswer } from "./ApiClient.ts"

/** The version moved on between the read and the write. */
class LostRace extends Data.TaggedError("LostRace") {}

const isLostRace = (e: unknown): e is LostRace => e instanceof LostRace

export interface CurrentVersionWrite<V> {
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
): Effect.Effect<void, SecretNotFound | ConcurrentModification | UpstreamError> =>
  retryLostRaces(
    Effect.gen(function*() {
      const version = yield* w.version
      if (version === undefined) return yield* new SecretNotFound({ name: w.name, namespace: w.namespace })
      const answer = yield* w.write(version)
      if (w.lostRace(answer)) return yield* new LostRace()
      if (answer.status !== 200 && answer.status !== 204) return yield* w.refused(answer)
    }),
    isLostRace,
    () => new ConcurrentModification({ kind: "secret", name: w.name, namespace: w.namespace })
  )
