/**
 * The README's "Try it" session is executable: every command runs, as written, against `faas-nomad dev` (the real
 * CLI on an ephemeral loopback port, `localhost:8081` rewritten to it), and prints what the README shows, but for
 * ids, times and ports. A change of behaviour fails here until the README says the same.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { startCli } from "../support/cli.ts"
import { consoleSession, normalized, outputLines, sameOutput } from "../support/consoleSession.ts"
import { isCi } from "../support/contracts.ts"

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
const steps = consoleSession(readme, "## Try it")

const hasCurl = spawnSync("sh", ["-c", "command -v curl"]).status === 0
if (!hasCurl) {
  if (isCi(process.env)) throw new Error("the README session test needs curl, and CI is set: install curl")
  process.stdout.write("README session test skipped: curl is not installed\n")
}

const run = (command: string) =>
  Effect.promise(() =>
    new Promise<string>((resolve) => {
      execFile("bash", ["-c", command], { timeout: 60_000 }, (_error, stdout, stderr) => resolve(stdout + stderr))
    })
  )

/** A command that changes nothing (no method, no body) may be asked again: instances start and log in the background. */
const readsOnly = (command: string) => !/ -X | -d |--data/.test(command)

describe("the README's Try it session", () => {
  it("has commands, and output to compare for most of them", () => {
    assert.isAtLeast(steps.length, 10)
    assert.isAtLeast(steps.filter((step) => step.output.length > 0).length, 8)
  })

  it("allows for ids, times and ports only", () => {
    const shown = `{"instance":"65124d0a-fb49-4aa9-ad29-5dc45bc34491","timestamp":"2026-12-06T15:42:50.000Z",` +
      `"text":"2026/12/06 15:42:50 Wrote 8 Bytes - Duration: 0.098040s","host":"localhost:8081"}`
    const real = `{"instance":"0b7c1f2e-0000-4aa9-ad29-5dc45bc34491","timestamp":"2027-01-01T00:00:00.123Z",` +
      `"text":"2027/01/01 00:00:00 Wrote 8 Bytes - Duration: 1.5s","host":"localhost:40111"}`
    assert.isTrue(sameOutput([shown], [real]))
    assert.isFalse(sameOutput([shown], [real.replace("8 Bytes", "9 Bytes")]))
    assert.isFalse(sameOutput(["availableReplicas:1"], ["availableReplicas:2"]))
    assert.isFalse(sameOutput(["Hi there"], ["Hi there", "and more"]))
    assert.strictEqual(normalized("Http_X_Forwarded_Host=localhost:8081"), "Http_X_Forwarded_Host=localhost:<port>")
  })

  it.live.skipIf(!hasCurl)("every command prints what the README shows", () =>
    Effect.gen(function*() {
      const provider = yield* startCli(["dev"], {})
      const port = new URL(provider.url).port
      const stop = Effect.promise(() => provider.terminate())
      yield* Effect.gen(function*() {
        for (const step of steps) {
          const command = step.command.replaceAll("localhost:8081", `localhost:${port}`)
          let actual = outputLines(yield* run(command))
          // Up to 20 s for what the dev cluster does in the background to show.
          for (let attempt = 0; readsOnly(command) && !sameOutput(step.output, actual) && attempt < 200; attempt++) {
            yield* Effect.sleep("100 millis")
            actual = outputLines(yield* run(command))
          }
          assert.deepStrictEqual(actual.map(normalized), step.output.map(normalized), `$ ${step.command}`)
        }
      }).pipe(
        // Stopped as a user stops it, also when a step fails: killed, the dev cluster would leave its watchdogs.
        Effect.onError(() => stop)
      )
      assert.strictEqual(yield* stop, 0, provider.output())
    }), 180_000)
})
