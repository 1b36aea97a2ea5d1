/** Secret stores' check-and-set writes are retried as every check-and-set write is, on the test clock. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { UpstreamError } from "../../src/domain/errors.ts"
import { describeError } from "../../src/http/errorResponse.ts"
import type { ApiAnswer } from "../../src/layers/http/ApiClient.ts"
import { writeOnCurrentVersion } from "../../src/layers/http/writeOnCurrentVersion.ts"
import { checkAndSetAttempts } from "../../src/services/checkAndSet.ts"

const answer = (status: number): ApiAnswer => ({ status, headers: {}, body: "" })

/** A secret whose version moves on between every read and write, `losses` times. */
const contested = (losses: number) => {
  const writes: Array<number> = []
  let version = 1
  const write = writeOnCurrentVersion({
    namespace: "default",
    name: "hot",
    version: Effect.sync(() => version),
    write: (read: number) =>
      Effect.sync(() => {
        writes.push(read)
        if (writes.length <= losses) {
          version++
          return answer(409)
        }
        return answer(200)
      }),
    lostRace: (a) => a.status === 409,
    refused: (a) => new UpstreamError({ dependency: "vault", reason: "BadResponse", message: `HTTP ${a.status}` })
  })
  return { writes, write }
}

describe("a check-and-set write on a secret", () => {
  it.effect("that loses races reads again and writes on the new version, with backoff between tries", () =>
    Effect.gen(function*() {
      const { write, writes } = contested(3)
      const fiber = yield* Effect.forkChild(write)
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(writes, [1], "the second try waits")
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(writes, [1, 2, 3, 4])
    }))

  it.effect("that keeps losing ends, after 8 tries, in ConcurrentModification: a 409 naming the secret", () =>
    Effect.gen(function*() {
      const { write, writes } = contested(Number.POSITIVE_INFINITY)
      const fiber = yield* Effect.forkChild(Effect.flip(write))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(writes.length, checkAndSetAttempts)
      assert.strictEqual(checkAndSetAttempts, 8)
      assert.isTrue(error._tag === "ConcurrentModification" && error.kind === "secret")
      assert.deepStrictEqual(describeError(error), {
        status: 409,
        message: `secret "hot" in namespace "default" kept changing during this request; try again`
      })
    }))
})
