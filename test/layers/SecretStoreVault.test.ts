import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import * as SecretStoreVault from "../../src/layers/vault/SecretStoreVault.ts"
import { VaultApiClient } from "../../src/layers/vault/VaultApiClient.ts"
import { SecretStore } from "../../src/services/SecretStore.ts"
import { type VaultSimulator, VaultSimulator as Vault } from "../sim/vault/VaultSimulator.ts"
import { eventually } from "../support/eventually.ts"

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
  // Built inside the test: the renewal sleeps on TestClock. The simulator's own clock stands still, so the token
  // does not expire on it; only the provider's waiting is in question.
  it.effect("is renewed at half its TTL while it is renewable", () =>
    Effect.gen(function*() {
      const vault = yield* Vault.scoped({
        tokens: [{ id: "short", policies: ["default"], ttlSeconds: 2, renewable: true }]
      })
      yield* Effect.gen(function*() {
        yield* VaultApiClient
        // The client looks the token up, then sleeps half its TTL: 1 s of test time. The clock moves in steps up
        // to 1.5 s, short of the next renewal, while the test waits in real time for the call to Vault.
        yield* eventually(Effect.sync(() => vault.server.count(/lookup-self/)), (n) => n >= 1)
        let waited = 0
        yield* eventually(
          Effect.gen(function*() {
            if (vault.state.renewals("short") > 0) return true
            if (waited < 1500) {
              yield* TestClock.adjust("100 millis")
              waited += 100
            }
            return false
          }),
          (renewed) => renewed
        )
        assert.isAtLeast(waited, 1000, "not renewed before half the TTL")
        assert.strictEqual(vault.state.renewals("short"), 1)
      }).pipe(
        Effect.provide(VaultApiClient.layer.pipe(
          Layer.provide(ProviderConfig.layerFromEnv({ VAULT_ADDR: vault.url, VAULT_TOKEN: "short" }))
        ))
      )
    }))
})
