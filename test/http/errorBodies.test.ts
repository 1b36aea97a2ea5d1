/** Error bodies stay small whatever a request carries: many problems are cut to a few, long inputs quoted short. */
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { maxProblems, problemList, quoted } from "../../src/schema/problemText.ts"
import { call } from "../support/http.ts"
import { exchange, providerPort } from "../support/rawHttp.ts"
import { testApp } from "../support/testApp.ts"

/** Lines of a plain-text error body. */
const lines = (text: string) => text.trimEnd().split("\n")

layer(testApp(), { excludeTestServices: true })("error bodies", (it) => {
  it.effect("5,000 missing secrets: the first 20 named, then how many more", () =>
    Effect.gen(function*() {
      const secrets = Array.from({ length: 5000 }, (_, i) => `missing-secret-${i}`)
      const answer = yield* call("POST", "/system/functions", { service: "many-secrets", image: "x:1", secrets })
      assert.strictEqual(answer.status, 400)
      assert.isBelow(answer.text.length, 4096)
      const body = lines(answer.text)
      assert.strictEqual(body.length, maxProblems + 1)
      assert.include(body[0], `"missing-secret-0" does not exist`)
      assert.strictEqual(body.at(-1), "and 4980 more problems")
    }))

  it.effect("5,000 bad constraints: the job's problems are cut the same way", () =>
    Effect.gen(function*() {
      const constraints = Array.from({ length: 5000 }, (_, i) => `nonsense ${i}`)
      const answer = yield* call("POST", "/system/functions", { service: "many-rules", image: "x:1", constraints })
      assert.strictEqual(answer.status, 400)
      assert.isBelow(answer.text.length, 8192)
      assert.strictEqual(lines(answer.text).at(-1), "and 4980 more problems")
    }))

  it.effect("5,000 malformed fields: schema problems are cut the same way", () =>
    Effect.gen(function*() {
      const labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`label-${i}`, i]))
      const answer = yield* call("POST", "/system/functions", { service: "many-labels", image: "x:1", labels })
      assert.strictEqual(answer.status, 400)
      assert.isBelow(answer.text.length, 8192)
      assert.strictEqual(lines(answer.text).at(-1), "and 4980 more problems")
    }))

  it.effect("a 100 KB namespace is quoted cut at 200 characters, in a body or in a query", () =>
    Effect.gen(function*() {
      const namespace = `${"n".repeat(100_000)}_`
      const inBody = yield* call("POST", "/system/functions", { service: "far-away", image: "x:1", namespace })
      assert.strictEqual(inBody.status, 400)
      assert.isBelow(inBody.text.length, 1024)
      assert.include(inBody.text, `"${"n".repeat(200)}... (99801 more characters)"`)
      const port = yield* providerPort
      const inQuery = yield* exchange(port, "GET", `/system/functions?namespace=${"q".repeat(50_000)}_`)
      assert.strictEqual(inQuery.status, 400)
      assert.isBelow(inQuery.text.length, 1024)
    }))

  it.effect("a long malformed function name in an invocation is quoted short", () =>
    Effect.gen(function*() {
      const answer = yield* call("GET", `/function/${"X".repeat(20_000)}`)
      assert.strictEqual(answer.status, 400)
      assert.isBelow(answer.text.length, 1024)
      assert.include(answer.text, "... (19800 more characters)")
    }))
})

describe("problem text", () => {
  it("keeps short lists and inputs as they are, escaping what would break a line", () => {
    assert.strictEqual(problemList(["a", "b"]), "a\nb")
    assert.strictEqual(problemList(Array.from({ length: 21 }, String)).split("\n").at(-1), "and 1 more problem")
    assert.strictEqual(quoted("ok"), `"ok"`)
    assert.strictEqual(quoted("two\nlines \"quoted\""), `"two\\nlines \\"quoted\\""`)
  })
})
