/** Tokens and secret values never show in the provider's logs, error bodies or spans. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { VaultSimulator } from "../sim/vault/VaultSimulator.ts"
import { fetchAt, startCli } from "../support/cli.ts"
import { startOtlpReceiver } from "../support/otlpReceiver.ts"

const nomadToken = "nomad-token-7c1f0e9a"
const vaultToken = "vault-token-5d2b8e41"
const secretValue = "the-secret-value-93af"

describe("no secret leaks", () => {
  it.live("tokens and secret values stay out of logs, error bodies and spans", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const nomad = yield* NomadSimulator.scoped({ acl: { managementToken: nomadToken } })
      const vault = yield* VaultSimulator.scoped({ tokens: [{ id: vaultToken, policies: ["root"] }] })
      const provider = yield* startCli(["start", "--service-discovery", "nomad", "--log-level", "debug"], {
        NOMAD_ADDR: nomad.url,
        NOMAD_TOKEN: nomadToken,
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vaultToken,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "20",
        api_timeout: "1s"
      })
      const bodies: Array<string> = []
      const remember = (answer: { text: string }) => bodies.push(answer.text)
      remember(yield* fetchAt(provider.url, "POST", "/system/secrets", { name: "k", value: secretValue }))
      remember(yield* fetchAt(provider.url, "POST", "/system/secrets", { name: "k", value: secretValue }))
      remember(yield* fetchAt(provider.url, "GET", "/system/secrets"))
      remember(
        yield* fetchAt(provider.url, "POST", "/system/functions", { service: "f", image: "x:1", secrets: ["k"] })
      )
      remember(
        yield* fetchAt(provider.url, "POST", "/system/functions", {
          service: "bad",
          image: "x:1",
          secrets: ["missing"]
        })
      )
      vault.state.seal()
      remember(yield* fetchAt(provider.url, "GET", "/system/secrets"))
      yield* Effect.promise(() => nomad.server.down())
      remember(yield* fetchAt(provider.url, "GET", "/system/functions"))
      yield* Effect.promise(() => nomad.server.up())
      yield* receiver.span((s) => s.name === "GET /system/functions")
      const spans = JSON.stringify(receiver.spans)
      for (const secret of [nomadToken, vaultToken, secretValue]) {
        assert.notInclude(provider.output(), secret, "logs")
        for (const body of bodies) assert.notInclude(body, secret, "error bodies")
        assert.notInclude(spans, secret, "spans")
      }
      assert.isTrue(receiver.spans.length > 5)
    }))
})
