import { assert, describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { makeFrameDecoder } from "../../src/nomad/logFrames.ts"

const frame = (data: string, extra = "") =>
  `{"Offset":${data.length},"Data":"${Buffer.from(data).toString("base64")}","File":"alloc/logs/fn.stdout.0"${extra}}`

const text = (chunks: ReadonlyArray<Uint8Array>) => chunks.map((c) => Buffer.from(c).toString("utf8")).join("")

describe("Nomad's log frames", () => {
  it("are concatenated objects with heartbeats, decoded to their bytes", () => {
    const decode = makeFrameDecoder()
    expect(text(Result.getOrThrow(decode(`${frame("hello\n")}{}${frame("world\n")}`)))).toBe("hello\nworld\n")
  })

  it("may be cut anywhere between chunks, even inside strings with braces", () => {
    const all = `${frame("a{b}\n")}{}{"FileEvent":"file truncated","File":"x}{"}${frame("c\n")}`
    for (let cut = 1; cut < all.length; cut++) {
      const decode = makeFrameDecoder()
      const first = Result.getOrThrow(decode(all.slice(0, cut)))
      expect(text([...first, ...Result.getOrThrow(decode(all.slice(cut)))])).toBe("a{b}\nc\n")
    }
  })

  it("that are not StreamFrames are refused with the reason, not cast", () => {
    for (const bad of [`{"Data":5}`, `{"Offset":"x"}`, `{"Data":"aGk=",}`]) {
      const decoded = makeFrameDecoder()(`${frame("ok\n")}${bad}`)
      assert.isTrue(Result.isFailure(decoded), bad)
      if (Result.isFailure(decoded)) assert.include(decoded.failure, "a log frame is not a StreamFrame", bad)
    }
  })
})
