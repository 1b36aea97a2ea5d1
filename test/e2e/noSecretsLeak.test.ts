/** Tokens, secret values and registry credentials never show in the provider's logs, answers or spans. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { VaultSimulator } from "../sim/vault/VaultSimulator.ts"
import { fetchAt, startCli } from "../support/cli.ts"
import { startOtlpReceiver } from "../support/otlpReceiver.ts"

const nomadToken = "nomad-token-7c1f0e9a"
const vaultToken = "vault-token-5d2b8e41"
const secretValue = "the-secret-value-93af"
const registryPassword = "registry-pw:6e0d"
const registryAuth = Buffer.from(`robot:${registryPassword}`).toString("base64")
const colonlessAuth = Buffer.from("robot-registry-pw-6e0d").toString("base64")

describe("no secret leaks", () => {
  it.live("tokens, secret values and registry credentials stay out of logs, answers and spans", () =>
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
      remember(
        yield* fetchAt(provider.url, "POST", "/system/functions", {
          service: "private",
          image: "r.io/x:1",
          registryAuth
        })
      )
      remember(yield* fetchAt(provider.url, "PUT", "/system/functions", { service: "private", image: "r.io/x:2" }))
      remember(
        yield* fetchAt(provider.url, "PUT", "/system/functions", {
          service: "private",
          image: "r.io/x:3",
          registryAuth: colonlessAuth
        })
      )
      remember(
        yield* fetchAt(provider.url, "POST", "/system/functions", `{"service":"p2","registryAuth":${registryAuth}}`)
      )
      remember(yield* fetchAt(provider.url, "GET", "/system/function/private"))
      remember(yield* fetchAt(provider.url, "GET", "/system/functions"))
      const job = nomad.state.jobs().find((j) => j.ID === "OpenFaaS-private")!
      const config = job.TaskGroups![0]!.Tasks![0]!["Config"] as Record<string, unknown>
      assert.deepStrictEqual(config["auth"], [{ username: "robot", password: registryPassword }], "Nomad gets them")
      assert.notInclude(JSON.stringify(job.Meta), registryPassword)
      assert.notInclude(JSON.stringify(job.Meta), registryAuth)
      vault.state.seal()
      remember(yield* fetchAt(provider.url, "GET", "/system/secrets"))
      yield* Effect.promise(() => nomad.server.down())
      remember(yield* fetchAt(provider.url, "GET", "/system/functions"))
      yield* Effect.promise(() => nomad.server.up())
      yield* receiver.span((s) => s.name === "GET /system/functions")
      const spans = JSON.stringify(receiver.spans)
      for (const secret of [nomadToken, vaultToken, secretValue, registryPassword, registryAuth, colonlessAuth]) {
        assert.notInclude(provider.output(), secret, "logs")
        for (const body of bodies) assert.notInclude(body, secret, "error bodies")
        assert.notInclude(spans, secret, "spans")
      }
      assert.isTrue(receiver.spans.length > 5)
    }))
})
