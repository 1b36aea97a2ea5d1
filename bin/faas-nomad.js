#!/usr/bin/env node
// The built JavaScript when there is one (an installed package: Node does not
// strip types under node_modules), else the TypeScript itself (a checkout).
import { existsSync } from "node:fs"

const built = new URL("../dist/main.js", import.meta.url)
await import(existsSync(built) ? built.href : new URL("../src/main.ts", import.meta.url).href)
