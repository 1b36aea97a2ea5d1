import { assert, describe, it } from "@effect/vitest"
import { formatGoDuration } from "./GoFormat.ts"
import { goUnquote, parseGoBool, parseGoDuration, parseGoDurationNanos, parseGoUint64 } from "./GoParsers.ts"

describe("Go's parsers as Consul uses them", () => {
  it("parses durations as time.ParseDuration does", () => {
    assert.strictEqual(parseGoDuration("50ms"), 50)
    assert.strictEqual(parseGoDuration("1m30s"), 90_000)
    assert.strictEqual(parseGoDuration("1.5h"), 5_400_000)
    assert.strictEqual(parseGoDuration(".5s"), 500)
    assert.strictEqual(parseGoDuration("300000us"), 300)
    assert.strictEqual(parseGoDuration("0"), 0)
    assert.strictEqual(parseGoDuration("-2s"), -2000)
    for (const bad of ["10", "", "s", "5 s", "5S", "1d", ".s", "5s "]) assert.isUndefined(parseGoDuration(bad), bad)
  })

  it("says why a duration is rejected in time.ParseDuration's words", () => {
    assert.strictEqual(parseGoDurationNanos("1m30s"), 90_000_000_000)
    assert.strictEqual(parseGoDurationNanos("1.5µs"), 1500)
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["", `time: invalid duration ""`],
      ["soon", `time: invalid duration "soon"`],
      [".s", `time: invalid duration ".s"`],
      ["10", `time: missing unit in duration "10"`],
      ["5s5", `time: missing unit in duration "5s5"`],
      ["1d", `time: unknown unit "d" in duration "1d"`],
      ["5 s", `time: unknown unit " s" in duration "5 s"`]
    ]
    for (const [text, message] of cases) {
      const parsed = parseGoDurationNanos(text)
      assert.strictEqual(parsed instanceof Error ? parsed.message : parsed, message, text)
    }
  })

  it("parses booleans and indexes as strconv does", () => {
    assert.deepStrictEqual(["1", "t", "TRUE", "True"].map(parseGoBool), [true, true, true, true])
    assert.deepStrictEqual(["0", "f", "false"].map(parseGoBool), [false, false, false])
    assert.isUndefined(parseGoBool("yes"))
    assert.strictEqual(parseGoUint64("42"), 42)
    for (const bad of ["-1", "+1", "1.0", " 1", "18446744073709551616"]) assert.isUndefined(parseGoUint64(bad), bad)
  })

  it("unquotes filter strings as strconv.Unquote does", () => {
    assert.strictEqual(goUnquote("a\\tb\\x41\\u00e9\\101"), "a\tbAéA")
    for (const bad of ["\\q", "\\x4", "line\nbreak"]) assert.isUndefined(goUnquote(bad), bad)
  })

  it("prints durations as time.Duration.String does", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0, "0s"],
      [999, "999ns"],
      [1500, "1.5µs"],
      [500_000_000, "500ms"],
      [1_000_000_000, "1s"],
      [90_000_000_000, "1m30s"],
      [600_000_000_000, "10m0s"],
      [3_600_000_000_000, "1h0m0s"],
      [5_400_500_000_000, "1h30m0.5s"],
      [-2_000_000_000, "-2s"]
    ]
    for (const [nanos, text] of cases) assert.strictEqual(formatGoDuration(nanos), text)
  })
})
