import { Effect } from "effect"

/** Asks until `accept` holds (every 25 ms, 400 times): Nomad places allocations asynchronously, as the real one does. */
export const eventually = <A, R>(ask: Effect.Effect<A, never, R>, accept: (a: A) => boolean) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 400; attempt++) {
      const answer = yield* ask
      if (accept(answer)) return answer
      yield* Effect.sleep("25 millis")
    }
    return yield* Effect.die(new Error("the condition never held"))
  })
