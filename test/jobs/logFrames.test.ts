import { describe, expect, it } from "@effect/vitest"
import { makeFrameDecoder } from "../../src/nomad/logFrames.ts"

const frame = (data: string, extra = "") =>
  `{"Offset":${data.length},"Data":"${Buffer.from(data).toString("base64")}","File":"alloc/logs/fn.stdout.0"${extra}}`

const text = (chunks: ReadonlyArray<Uint8Array>) => chunks.map((c) => Buffer.from(c).toString("utf8")).join("")

describe("Nomad's log frames", () => {
  it("are concatenated objects with heartbeats, decoded to their bytes", () => {
    const decode = makeFrameDecoder()
    expect(text(decode(`${frame("hello\n")}{}${frame("world\n")}`))).toBe("hello\nworld\n")
  })

  it("may be cut anywhere between chunks, even inside strings with braces", () => {
    const all = `${frame("a{b}\n")}{}{"FileEvent":"file truncated","File":"x}{"}${frame("c\n")}`
    for (let cut = 1; cut < all.length; cut++) {
      const decode = makeFrameDecoder()
      expect(text([...decode(all.slice(0, cut)), ...decode(all.slice(cut))])).toBe("a{b}\nc\n")
    }
  })
})
