/**
 * Which code `bin/faas-nomad.js` runs. In a checkout, the TypeScript in src/ even when a build exists: a dist/
 * goes stale as soon as src/ changes, and the tests (which start the checkout's bin) must run the code they test.
 * In an installed package, or a tree with no src/ (the Docker image), the bundle. Each case is a tree laid out
 * around a copy of the real bin, with a src/main.ts and a dist/faas-nomad.js that only say which they are.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const realBin = fileURLToPath(new URL("../../bin/faas-nomad.js", import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), "faas-nomad-bin-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A package tree at `scratch/<path>` with the real bin, and a source and a bundle as asked. */
const tree = (path: string, parts: { readonly source: boolean; readonly bundle: boolean }) => {
  const root = join(scratch, path)
  mkdirSync(join(root, "bin"), { recursive: true })
  copyFileSync(realBin, join(root, "bin", "faas-nomad.js"))
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "faas-nomad", type: "module" }))
  if (parts.source) {
    mkdirSync(join(root, "src"))
    writeFileSync(join(root, "src", "main.ts"), `console.log("source" as string)\n`)
  }
  if (parts.bundle) {
    mkdirSync(join(root, "dist"))
    writeFileSync(join(root, "dist", "faas-nomad.js"), `console.log("bundle")\n`)
  }
  return spawnSync(process.execPath, [join(root, "bin", "faas-nomad.js")], { encoding: "utf8" })
}

describe("the bin", () => {
  it("in a checkout runs the source, even when a build exists", () => {
    assert.strictEqual(tree("checkout-built", { source: true, bundle: true }).stdout, "source\n")
    assert.strictEqual(tree("checkout", { source: true, bundle: false }).stdout, "source\n")
  })

  it("in an installed package runs the bundle, though the package carries its source", () => {
    assert.strictEqual(tree("app/node_modules/faas-nomad", { source: true, bundle: true }).stdout, "bundle\n")
  })

  it("with no src/ beside it (the Docker image) runs the bundle", () => {
    assert.strictEqual(tree("image", { source: false, bundle: true }).stdout, "bundle\n")
  })

  it("says in one line when an installed package was never built", () => {
    const result = tree("unbuilt/node_modules/faas-nomad", { source: true, bundle: false })
    assert.strictEqual(result.status, 1)
    assert.strictEqual(
      result.stderr,
      "faas-nomad: dist/faas-nomad.js is missing: this copy was never built (npm run build)\n"
    )
  })
})
