import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { Job } from "../../src/nomad/Job.ts"
import { JobCache } from "../../src/provider/JobCache.ts"

const job = (id: string, jobModifyIndex: number): Job => ({ ID: id, JobModifyIndex: jobModifyIndex })

/** A read that counts itself and answers the job at `index`. */
const reader = () => {
  const reads: Array<string> = []
  const read = (id: string, index: number) =>
    Effect.sync(() => {
      reads.push(id)
      return Option.some(job(id, index))
    })
  return { read, reads }
}

describe("the job cache", () => {
  it.effect("reads a job once per JobModifyIndex", () =>
    Effect.gen(function*() {
      const cache = new JobCache()
      const { read, reads } = reader()
      yield* cache.get("default", "a", 1, read("a", 1))
      const kept = yield* cache.get("default", "a", 1, read("a", 1))
      assert.deepStrictEqual(kept, Option.some(job("a", 1)))
      assert.deepStrictEqual(reads, ["a"])
      yield* cache.get("default", "a", 2, read("a", 2))
      assert.deepStrictEqual(reads, ["a", "a"], "a changed job is read again")
    }))

  it.effect("keeps a namespace's jobs only while they are listed; forgets a deleted one", () =>
    Effect.gen(function*() {
      const cache = new JobCache()
      const { read, reads } = reader()
      for (const [ns, id] of [["default", "a"], ["default", "b"], ["team", "a"]] as const) {
        yield* cache.get(ns, id, 1, read(`${ns}/${id}`, 1))
      }
      cache.retain("default", new Set(["a"]))
      cache.forget("team", "a")
      for (const [ns, id] of [["default", "a"], ["default", "b"], ["team", "a"]] as const) {
        yield* cache.get(ns, id, 1, read(`${ns}/${id}`, 1))
      }
      assert.deepStrictEqual(reads.slice(3), ["default/b", "team/a"])
    }))
})
