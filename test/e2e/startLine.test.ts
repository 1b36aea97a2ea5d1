/**
 * The start line says where the provider listens and on which cluster: the dev cluster, or the Nomad, Consul and
 * Vault it talks to (never their tokens or user info); a signal's stop is logged with the signal.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { startCli } from "../support/cli.ts"

const startLine = (output: string) => output.split("\n").find((line) => line.includes("Listening on"))!

describe("the start line and the stop", () => {
  it.live("dev: the dev cluster; SIGINT is logged as the reason of the stop", () =>
    Effect.gen(function*() {
      const provider = yield* startCli(["dev"], {})
      assert.match(
        startLine(provider.output()),
        new RegExp(
          `INFO .*: Listening on ${provider.url} on the dev cluster \\(Nomad, service discovery and secrets in ` +
            "memory; functions run as local processes\\)$"
        )
      )
      assert.strictEqual(yield* Effect.promise(() => provider.signal("SIGINT")), 0)
      const lines = provider.output().trimEnd().split("\n")
      assert.match(lines.at(-2)!, /Stopping on SIGINT: no new connections/)
      assert.match(lines.at(-1)!, /Stopped on SIGINT$/)
    }))

  it.live("start: the addresses of Nomad, Consul and Vault, or that Nomad does discovery and secrets", () =>
    Effect.gen(function*() {
      const unreachable = { api_timeout: "1s", NOMAD_TOKEN: "nomad-token", VAULT_TOKEN: "vault-token" }
      const withConsulAndVault = yield* startCli(["start"], {
        ...unreachable,
        NOMAD_ADDR: "http://robot:pass@127.0.0.1:1",
        NOMAD_NAMESPACE: "functions",
        CONSUL_HTTP_ADDR: "127.0.0.1:2",
        VAULT_ADDR: "https://127.0.0.1:3/"
      })
      assert.match(
        startLine(withConsulAndVault.output()),
        new RegExp(
          `Listening on ${withConsulAndVault.url} on Nomad at http://127\\.0\\.0\\.1:1 \\(namespace functions\\), ` +
            "service discovery Consul at http://127\\.0\\.0\\.1:2, secrets Vault at https://127\\.0\\.0\\.1:3$"
        )
      )
      for (const secret of ["robot", "pass", "nomad-token", "vault-token"]) {
        assert.notInclude(withConsulAndVault.output(), secret)
      }
      const nomadOnly = yield* startCli(["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"], {
        ...unreachable,
        NOMAD_ADDR: "http://127.0.0.1:1"
      })
      assert.match(
        startLine(nomadOnly.output()),
        /on Nomad at http:\/\/127\.0\.0\.1:1 \(namespace default\), service discovery Nomad, secrets Nomad Variables$/
      )
    }))
})
