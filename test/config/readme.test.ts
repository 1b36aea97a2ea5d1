import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { settingsMarkdown } from "../../src/config/settingsTable.ts"
import { byteSize, byteUnits } from "../../src/config/values.ts"

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")

describe("the README", () => {
  it("has the configuration table of the code (npm run docs rewrites it)", () => {
    const table = readme.slice(
      readme.indexOf("<!-- settings:begin -->") + "<!-- settings:begin -->".length,
      readme.indexOf("<!-- settings:end -->")
    )
    expect(table.trim()).toBe(settingsMarkdown())
  })

  it("names every size unit the settings accept, and what each example means", () => {
    const start = readme.indexOf("sizes are")
    const sentence = readme.slice(start, readme.indexOf("\n\n", start))
    const units = [...sentence.matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1]!)
    expect(units.toSorted()).toEqual(Object.keys(byteUnits).filter((unit) => unit !== "").toSorted())
    const examples = [...sentence.matchAll(/`(\d+[A-Za-z]+)` is (\d+)/g)]
    expect(examples.map((match) => match[1])).toEqual(["1Mi", "1MB"])
    for (const [, size, bytes] of examples) expect(byteSize(size!)).toEqual(Result.succeed(Number(bytes)))
  })
})
