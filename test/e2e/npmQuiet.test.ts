/**
 * npm runs on the machine's Node, which may be older than the project's:
 * `npx faas-nomad` must not bury its answer under EBADENGINE warnings, and
 * errors must still show.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const project = fileURLToPath(new URL("../..", import.meta.url))
/** The Node and npm that ran `npm test`: the machine's own, not the project's pinned Node. */
const npmNode = process.env["npm_node_execpath"]
const npmCli = process.env["npm_execpath"]

const npm = (args: ReadonlyArray<string>) =>
  spawnSync(npmNode!, [npmCli!, ...args], {
    cwd: project,
    encoding: "utf8",
    // The machine's PATH without the project's pinned Node in front, as a user's shell has it.
    env: {
      ...process.env,
      PATH: (process.env["PATH"] ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":")
    }
  })

describe.skipIf(npmNode === undefined || npmCli === undefined)("npm, run on the machine's Node", () => {
  it("installs without a warning: no EBADENGINE lines for packages the project's Node 24 runs", () => {
    const result = npm(["ci", "--dry-run", "--offline"])
    assert.strictEqual(result.status, 0, result.stderr)
    assert.notInclude(result.stderr, "EBADENGINE")
    assert.notInclude(result.stderr, "npm warn")
  })

  it("runs npx faas-nomad --version with nothing on stderr", () => {
    const result = npm(["exec", "--offline", "--", "faas-nomad", "--version"])
    assert.strictEqual(result.stderr, "")
    assert.match(result.stdout, /^faas-nomad \S+\n$/)
  })

  it("still shows an error", () => {
    const result = npm(["exec", "--offline", "--", "faas-nomad", "--no-such-flag"])
    assert.notStrictEqual(result.status, 0)
    assert.include(result.stderr, "no-such-flag")
  })
})
