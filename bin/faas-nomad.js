#!/usr/bin/env node
// Which code runs:
// - an installed package (under node_modules), or a tree with no src/ (the Docker image): the bundle that
//   `npm run build` made, dist/faas-nomad.js;
// - a checkout: the TypeScript in src/, always, even when a dist/ exists. A build goes stale the moment src/
//   changes, and what runs (and what the tests run) must be the code as it is now.
import { existsSync } from "node:fs"

const bundle = new URL("../dist/faas-nomad.js", import.meta.url)
const source = new URL("../src/main.ts", import.meta.url)
const installed = import.meta.url.includes("/node_modules/")
const entry = !installed && existsSync(source) ? source : bundle
if (!existsSync(entry)) {
  process.stderr.write("faas-nomad: dist/faas-nomad.js is missing: this copy was never built (npm run build)\n")
  process.exit(1)
}
await import(entry.href)
