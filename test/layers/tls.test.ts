/** The clients' TLS settings, against an HTTPS server with a test CA (test/fixtures/tls). */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { UpstreamError } from "../../src/domain/errors.ts"
import { ConsulApiClient } from "../../src/layers/consul/ConsulApiClient.ts"
import * as DiscoveryConsul from "../../src/layers/consul/DiscoveryConsul.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import * as SecretStoreVault from "../../src/layers/vault/SecretStoreVault.ts"
import { VaultApiClient } from "../../src/layers/vault/VaultApiClient.ts"
import { Discovery } from "../../src/services/Discovery.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { SecretStore } from "../../src/services/SecretStore.ts"

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url))
const pem = (name: string) => readFileSync(fixture(name), "utf8")

/** An HTTPS server answering every Nomad, Consul or Vault read this test makes with an empty list. */
const httpsServer = (options: { readonly requireClientCert: boolean }) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly port: number; readonly close: () => void; clientCertSeen: boolean }>((resume) => {
      const state = { port: 0, close: () => server.close(), clientCertSeen: false }
      const server = createServer({
        key: pem("server.key"),
        cert: pem("server.pem"),
        ca: pem("ca.pem"),
        requestCert: options.requireClientCert,
        rejectUnauthorized: options.requireClientCert
      }, (request, response) => {
        state.clientCertSeen ||=
          (request.socket as import("node:tls").TLSSocket).getPeerCertificate().subject !== undefined
        const url = request.url ?? ""
        const body = url.startsWith("/v1/secret/metadata") ? null : "[]"
        if (body === null) {
          return void response.writeHead(404, { "content-type": "application/json" }).end(`{"errors":[]}`)
        }
        response.writeHead(200, { "content-type": "application/json", "x-consul-index": "1" }).end(body)
      })
      server.listen(0, "127.0.0.1", () => {
        state.port = (server.address() as AddressInfo).port
        resume(Effect.succeed(state))
      })
    }),
    (server) => Effect.sync(server.close)
  )

const reasonOf = (error: Error | UpstreamError) => (error instanceof UpstreamError ? error.reason : error.message)

const nomadWith = (env: Record<string, string>) =>
  Effect.flatMap(Effect.service(Nomad), (nomad) => nomad.listJobs("default", "OpenFaaS-")).pipe(
    Effect.provide(
      NomadHttp.layer.pipe(
        Layer.provide(NomadApiClient.layer),
        Layer.provide(ProviderConfig.layerFromEnv({ api_timeout: "2s", ...env }))
      )
    )
  )

describe("TLS to Nomad, Consul and Vault", () => {
  it.live("Nomad: verified against NOMAD_CACERT, refused without it, or skipped with NOMAD_SKIP_VERIFY", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer({ requireClientCert: false })
      const addr = `https://127.0.0.1:${server.port}`
      const untrusted = yield* Effect.flip(nomadWith({ NOMAD_ADDR: addr }))
      assert.strictEqual(reasonOf(untrusted), "Unavailable")
      assert.match(untrusted.message, /certificate/i)
      assert.deepStrictEqual(yield* nomadWith({ NOMAD_ADDR: addr, NOMAD_CACERT: fixture("ca.pem") }), [])
      assert.deepStrictEqual(yield* nomadWith({ NOMAD_ADDR: addr, NOMAD_SKIP_VERIFY: "true" }), [])
      const localhost = `https://localhost:${server.port}`
      assert.deepStrictEqual(
        yield* nomadWith({
          NOMAD_ADDR: localhost,
          NOMAD_CACERT: fixture("ca.pem"),
          NOMAD_TLS_SERVER_NAME: "server.global.nomad"
        }),
        []
      )
    }))

  it.live("Nomad: mutual TLS with NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer({ requireClientCert: true })
      const addr = `https://127.0.0.1:${server.port}`
      const withoutClientCert = yield* Effect.flip(nomadWith({ NOMAD_ADDR: addr, NOMAD_CACERT: fixture("ca.pem") }))
      assert.strictEqual(reasonOf(withoutClientCert), "Unavailable")
      const listed = yield* nomadWith({
        NOMAD_ADDR: addr,
        NOMAD_CACERT: fixture("ca.pem"),
        NOMAD_CLIENT_CERT: fixture("client.pem"),
        NOMAD_CLIENT_KEY: fixture("client.key")
      })
      assert.deepStrictEqual(listed, [])
      assert.isTrue(server.clientCertSeen)
    }))

  it.live("Consul: CONSUL_HTTP_SSL with CONSUL_CACERT on an address without scheme", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer({ requireClientCert: false })
      const counts = yield* Effect.flatMap(Effect.service(Discovery), (d) => d.readyCounts("default" as never)).pipe(
        Effect.provide(DiscoveryConsul.layer.pipe(
          Layer.provideMerge(ConsulApiClient.layer),
          Layer.provideMerge(ProviderConfig.layerFromEnv({
            CONSUL_HTTP_ADDR: `127.0.0.1:${server.port}`,
            CONSUL_HTTP_SSL: "true",
            CONSUL_CACERT: fixture("ca.pem")
          }))
        ))
      )
      assert.strictEqual(counts.size, 0)
    }))

  it.live("Vault: verified by default (VAULT_SKIP_VERIFY=false means verify), with VAULT_CACERT", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer({ requireClientCert: false })
      const store = (env: Record<string, string>) =>
        Effect.flatMap(Effect.service(SecretStore), (s) => s.exists("default", "k")).pipe(
          Effect.provide(SecretStoreVault.layer.pipe(
            Layer.provide(VaultApiClient.layer),
            Layer.provide(
              ProviderConfig.layerFromEnv({ VAULT_ADDR: `https://127.0.0.1:${server.port}`, api_timeout: "2s", ...env })
            )
          ))
        )
      const refused = yield* Effect.flip(store({ VAULT_SKIP_VERIFY: "false" }))
      assert.match(refused.message, /certificate/i)
      assert.isFalse(yield* store({ VAULT_CACERT: fixture("ca.pem") }))
    }))
})
