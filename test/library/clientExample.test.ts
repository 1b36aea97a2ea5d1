/**
 * The README's typed-client example, as written there: against `faas-nomad dev` (the checkout's bin, on a
 * loopback port instead of 8081) it deploys, scales and invokes, and prints what the README says it prints. It
 * runs as a program of its own, importing `faas-nomad` from the sources.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { startCli } from "../support/cli.ts"

const project = fileURLToPath(new URL("../..", import.meta.url))

/** The `ts` block of the README's library section that uses the client, and the output printed after it. */
const readmeExample = () => {
  const readme = readFileSync(join(project, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Use it as a library"), readme.indexOf("## Architecture"))
  const blocks = [...section.matchAll(/```(ts|console)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1], text: m[2]! }))
  const at = blocks.findIndex((b) => b.kind === "ts" && b.text.includes("FaasProviderClient"))
  const output = blocks[at + 1]
  if (at < 0 || output?.kind !== "console") throw new Error("README: no client example followed by its output")
  return { code: blocks[at]!.text, output: output.text }
}

describe("the README's typed-client example", () => {
  it.live(
    "deploys, scales and invokes against faas-nomad dev, printing what the README shows",
    () =>
      Effect.gen(function*() {
        const { code, output } = readmeExample()
        assert.include(code, `"http://127.0.0.1:8081"`)
        const provider = yield* startCli(["dev"], {})
        // A folder of its own that sees the project's node_modules, so `effect` resolves as in an app.
        const app = mkdtempSync(join(tmpdir(), "faas-nomad-client-example-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(app, { recursive: true, force: true })))
        symlinkSync(join(project, "node_modules"), join(app, "node_modules"))
        writeFileSync(
          join(app, "main.ts"),
          code.replace(`"faas-nomad"`, JSON.stringify(pathToFileURL(join(project, "src", "index.ts")).href))
            .replace(`"http://127.0.0.1:8081"`, JSON.stringify(provider.url))
        )
        const run = yield* Effect.promise(() =>
          Promise.resolve(spawnSync(process.execPath, [join(app, "main.ts")], { encoding: "utf8", timeout: 60_000 }))
        )
        assert.strictEqual(run.status, 0, run.stderr)
        const printed = output.split("\n").filter((line) => line !== "" && !line.startsWith("$ "))
        assert.deepStrictEqual(run.stdout.split("\n").filter((line) => line !== ""), printed)
      }),
    { timeout: 90_000 }
  )
})
