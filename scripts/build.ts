/**
 * `npm run build`, also the `prepare` script (so `npm ci`, `npm pack` and an install from a git URL build too):
 * dist/ from nothing, in two parts.
 *
 * - The library (`import { ... } from "faas-nomad"`): tsc emits ES modules and their `.d.ts` for `src/`
 *   (tsconfig.build.json). An app's own bundler tree-shakes them, and `effect` stays the app's.
 * - The command: `dist/faas-nomad.js`, one tree-shaken bundle that needs no node_modules (scripts/bundle.ts). The
 *   installed bin and the Docker image run it.
 *
 * `node scripts/build.ts --bundle-only` builds only the command: the Docker image ships nothing else.
 */
import { execFileSync } from "node:child_process"
import { rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundle } from "./bundle.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const dist = join(root, "dist")

rmSync(dist, { recursive: true, force: true })
if (!process.argv.includes("--bundle-only")) {
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit"
    }
  )
}
const files = await bundle(dist)
const bytes = files.reduce((sum, file) => sum + statSync(join(dist, file)).size, 0)
console.log(`dist/faas-nomad.js: the command, ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`)
