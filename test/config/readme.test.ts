import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { settingsMarkdown } from "../../src/config/settingsTable.ts"

describe("the README", () => {
  it("has the configuration table of the code (npm run docs rewrites it)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
    const table = readme.slice(
      readme.indexOf("<!-- settings:begin -->") + "<!-- settings:begin -->".length,
      readme.indexOf("<!-- settings:end -->")
    )
    expect(table.trim()).toBe(settingsMarkdown())
  })
})
