import { Clock, Effect } from "effect"
import type { TestClock } from "effect/testing"

/** Waits in real time, also under TestClock: what it waits for is I/O, not the provider's timers. */
const pause = Effect.withFiber((fiber) => {
  const clock = fiber.getRef(Clock.Clock) as Partial<TestClock.TestClock>
  const sleep = Effect.sleep("25 millis")
  return clock.withLive === undefined ? sleep : clock.withLive(sleep)
})

/**
 * Asks until `accept` holds (every 25 ms, 400 times): Nomad places allocations asynchronously, as the real one
 * does.
 */
export const eventually = <A, R>(ask: Effect.Effect<A, never, R>, accept: (a: A) => boolean) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 400; attempt++) {
      const answer = yield* ask
      if (accept(answer)) return answer
      yield* pause
    }
    return yield* Effect.die(new Error("the condition never held"))
  })
