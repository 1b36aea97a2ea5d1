/** A start that cannot go on ends with one line naming the setting, and exit code 1, whatever stopped it. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { startCli } from "../support/cli.ts"

const failedStart = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.flip(startCli(args, env)).pipe(Effect.map((error) => error.message))

const live = ["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"]

describe("start-up errors", () => {
  it.live("a file a setting names that cannot be read, or a setting that cannot be used", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{ NOMAD_CACERT: "/nonexistent/ca.pem" }, "faas-nomad: NOMAD CA certificate: cannot read /nonexistent/ca.pem"],
        [
          { NOMAD_NAMESPACE: "no spaces" },
          `faas-nomad: NOMAD_NAMESPACE "no spaces" is not a valid Nomad namespace name`
        ],
        [
          { basic_auth: "true", secret_mount_path: "/nonexistent" },
          "faas-nomad: basic_auth is on but /nonexistent/basic-auth-user cannot be read (ENOENT)"
        ]
      ]
      for (const [env, line] of cases) {
        const message = yield* failedStart(live, { NOMAD_ADDR: "http://127.0.0.1:1", ...env })
        const [first, ...rest] = message.split("\n")
        assert.isTrue(first!.endsWith(" exited with 1:"), message)
        assert.strictEqual(rest.filter((l) => l !== "").length, 1, message)
        assert.isTrue(rest[0]!.startsWith(line), message)
      }
    }))
})
