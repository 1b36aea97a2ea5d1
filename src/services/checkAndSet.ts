/**
 * How a check-and-set write that lost a race is retried, wherever the
 * backend offers one (a Nomad job's JobModifyIndex, a Vault KV version, a
 * Nomad Variable's ModifyIndex): read again and write again, 8 tries in all
 * with jittered backoff from 20 ms, so concurrent writers spread out; then
 * `ConcurrentModification`, a 409 the caller may try again.
 */
import { Effect, Schedule } from "effect"
import type { ConcurrentModification } from "../domain/errors.ts"

/** Tries in all, the first included. */
export const checkAndSetAttempts = 8

const backoff = Schedule.exponential("20 millis").pipe(Schedule.jittered)

/** Runs `attempt` (a read and a write on what was read) again while it fails with a lost race. */
export const retryLostRaces = <A, E, R, L extends E>(
  attempt: Effect.Effect<A, E, R>,
  lostRace: (error: E) => error is L,
  exhausted: () => ConcurrentModification
): Effect.Effect<A, Exclude<E, L> | ConcurrentModification, R> =>
  attempt.pipe(
    Effect.retry({ while: lostRace, schedule: backoff, times: checkAndSetAttempts - 1 }),
    Effect.catchIf(lostRace, () => Effect.fail(exhausted()))
  ) as Effect.Effect<A, Exclude<E, L> | ConcurrentModification, R>
