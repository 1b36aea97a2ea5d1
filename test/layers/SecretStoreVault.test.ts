import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import * as SecretStoreVault from "../../src/layers/vault/SecretStoreVault.ts"
import { VaultApiClient } from "../../src/layers/vault/VaultApiClient.ts"
import { SecretStore } from "../../src/services/SecretStore.ts"
import { type VaultSimulator, VaultSimulator as Vault } from "../sim/vault/VaultSimulator.ts"

const text = (t: string) => ({ _tag: "Text", text: t }) as const

const storeFor = (vault: VaultSimulator, env: Record<string, string> = {}) =>
  SecretStoreVault.layer.pipe(
    Layer.provide(VaultApiClient.layer),
    Layer.provide(
      ProviderConfig.layerFromEnv({ VAULT_ADDR: vault.url, VAULT_TOKEN: "root", api_timeout: "2s", ...env })
    )
  )

/** Runs `body` with a fresh simulator and a store over it. */
const withVault = <A, E>(
  body: (vault: VaultSimulator) => Effect.Effect<A, E, SecretStore>,
  options: Parameters<typeof Vault.scoped>[0] = {},
  env: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const vault = yield* Vault.scoped(options)
    return yield* body(vault).pipe(Effect.provide(storeFor(vault, env)))
  })

describe("secrets in Vault KV v2", () => {
  it.live("create, list, exists, update and remove, at <mount>/data/<prefix>/<namespace>/<name>", () =>
    withVault((vault) =>
      Effect.gen(function*() {
        const store = yield* SecretStore
        yield* store.create("default", "api-key", text("s3cr3t"))
        yield* store.create("default", "cert", { _tag: "Binary", bytes: new Uint8Array([0, 1, 255]) })
        yield* store.create("team-a", "api-key", text("other"))
        assert.deepStrictEqual(yield* store.list("default"), ["api-key", "cert"])
        assert.deepStrictEqual(yield* store.list("empty"), [])
        assert.deepStrictEqual(vault.state.readSecret("secret", "openfaas/default/api-key"), { value: "s3cr3t" })
        assert.deepStrictEqual(vault.state.readSecret("secret", "openfaas/default/cert"), {
          value: "AAH/",
          encoding: "base64"
        })
        assert.isTrue(yield* store.exists("default", "api-key"))
        assert.isFalse(yield* store.exists("default", "nope"))
        yield* store.update("default", "api-key", text("rotated"))
        assert.deepStrictEqual(vault.state.readSecret("secret", "openfaas/default/api-key"), { value: "rotated" })
        yield* store.remove("default", "api-key")
        assert.isFalse(yield* store.exists("default", "api-key"))
        assert.deepStrictEqual(yield* store.list("default"), ["cert"])
        assert.deepStrictEqual(vault.state.readSecret("secret", "openfaas/team-a/api-key"), { value: "other" })
      })
    ))

  it.live("a second create is SecretExists; update or remove of a missing secret is SecretNotFound", () =>
    withVault(() =>
      Effect.gen(function*() {
        const store = yield* SecretStore
        yield* store.create("default", "once", text("1"))
        assert.strictEqual((yield* Effect.flip(store.create("default", "once", text("2"))))._tag, "SecretExists")
        assert.strictEqual((yield* Effect.flip(store.update("default", "ghost", text("x"))))._tag, "SecretNotFound")
        assert.strictEqual((yield* Effect.flip(store.remove("default", "ghost")))._tag, "SecretNotFound")
      })
    ))

  it.live("the mount and prefix are configurable", () =>
    withVault(
      (vault) =>
        Effect.gen(function*() {
          const store = yield* SecretStore
          yield* store.create("default", "k", text("v"))
          assert.deepStrictEqual(vault.state.readSecret("kv", "faas/default/k"), { value: "v" })
        }),
      { kvMounts: ["kv"] },
      { vault_kv_mount: "kv", vault_secret_prefix: "/faas/" }
    ))

  it.live("a refused token is PermissionDenied, a sealed Vault Unavailable, both naming Vault", () =>
    withVault(
      (vault) =>
        Effect.gen(function*() {
          const store = yield* SecretStore
          const denied = yield* Effect.flip(store.create("default", "k", text("v")))
          assert.isTrue(
            denied._tag === "UpstreamError" && denied.reason === "PermissionDenied" && denied.dependency === "vault"
          )
          vault.state.seal()
          const sealed = yield* Effect.flip(store.list("default"))
          assert.isTrue(sealed._tag === "UpstreamError" && sealed.reason === "Unavailable")
          assert.include(sealed.message, "sealed")
        }),
      {
        tokens: [{ id: "reader", policies: ["read-only"] }],
        policies: [{ name: "read-only", paths: { "secret/data/*": ["read"] } }]
      },
      { VAULT_TOKEN: "reader" }
    ))

  it.live("Vault down is Unavailable, a hung Vault a Timeout, and it recovers without a restart", () =>
    withVault(
      (vault) =>
        Effect.gen(function*() {
          const store = yield* SecretStore
          yield* store.create("default", "k", text("v"))
          yield* Effect.promise(() => vault.server.down())
          const down = yield* Effect.flip(store.exists("default", "k"))
          assert.isTrue(down._tag === "UpstreamError" && down.reason === "Unavailable")
          yield* Effect.promise(() => vault.server.up())
          assert.isTrue(yield* store.exists("default", "k"))
          vault.server.faults.inject({ kind: "hang" }, { times: 10 })
          const hung = yield* Effect.flip(store.list("default"))
          assert.isTrue(hung._tag === "UpstreamError" && hung.reason === "Timeout")
          vault.server.faults.clear()
          assert.deepStrictEqual(yield* store.list("default"), ["k"])
        }),
      {},
      { api_timeout: "250ms" }
    ))
})

describe("the Vault token", () => {
  it.live("is renewed at half its TTL while it is renewable", () =>
    Effect.gen(function*() {
      const vault = yield* Vault.scoped({
        tokens: [{ id: "short", policies: ["default"], ttlSeconds: 2, renewable: true }]
      })
      yield* Effect.gen(function*() {
        yield* VaultApiClient
        // Renewal runs at half the TTL: about a second here, in real time, once.
        for (let tries = 0; tries < 300 && vault.state.renewals("short") === 0; tries++) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
        }
        assert.isAtLeast(vault.state.renewals("short"), 1)
      }).pipe(
        Effect.provide(VaultApiClient.layer.pipe(
          Layer.provide(ProviderConfig.layerFromEnv({ VAULT_ADDR: vault.url, VAULT_TOKEN: "short" }))
        ))
      )
    }))
})
