/** Rewrites the README's configuration table from the settings table: `npm run docs`. */
import { readFileSync, writeFileSync } from "node:fs"
import { settingsMarkdown } from "../src/config/settingsTable.ts"

const begin = "<!-- settings:begin -->"
const end = "<!-- settings:end -->"
const readme = readFileSync("README.md", "utf8")
const start = readme.indexOf(begin)
const stop = readme.indexOf(end)
if (start === -1 || stop === -1) throw new Error("README.md has no settings markers")
writeFileSync("README.md", `${readme.slice(0, start + begin.length)}\n${settingsMarkdown()}\n${readme.slice(stop)}`)
