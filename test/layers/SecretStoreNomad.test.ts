import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as SecretStoreNomad from "../../src/layers/nomad/SecretStoreNomad.ts"
import { SecretStore } from "../../src/services/SecretStore.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"

const text = (t: string) => ({ _tag: "Text", text: t }) as const

describe("secrets in Nomad Variables", () => {
  it.live("create, list, exists, update and remove, at <prefix>/<name> in the namespace, with check-and-set", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      nomad.state.createNamespace("team")
      const layer = SecretStoreNomad.layer.pipe(
        Layer.provide(NomadApiClient.layer),
        Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: nomad.url, secrets_backend: "nomad" }))
      )
      yield* Effect.gen(function*() {
        const store = yield* SecretStore
        yield* store.create("default", "api-key", text("s3cr3t"))
        yield* store.create("default", "cert", { _tag: "Binary", bytes: new Uint8Array([0, 1, 255]) })
        yield* store.create("team", "api-key", text("other"))
        assert.deepStrictEqual(yield* store.list("default"), ["api-key", "cert"])
        assert.deepStrictEqual(yield* store.list("team"), ["api-key"])
        const stored = (path: string, ns = "default") =>
          nomad.state.variables().find((v) => v.Path === path && v.Namespace === ns)?.Items
        assert.deepStrictEqual(stored("openfaas-secrets/api-key"), { value: "s3cr3t" })
        assert.deepStrictEqual(stored("openfaas-secrets/cert"), { value: "AAH/", encoding: "base64" })
        assert.strictEqual((yield* Effect.flip(store.create("default", "api-key", text("again"))))._tag, "SecretExists")
        yield* store.update("default", "api-key", text("rotated"))
        assert.deepStrictEqual(stored("openfaas-secrets/api-key"), { value: "rotated" })
        assert.isTrue(yield* store.exists("default", "api-key"))
        yield* store.remove("default", "api-key")
        assert.isFalse(yield* store.exists("default", "api-key"))
        assert.strictEqual((yield* Effect.flip(store.update("default", "api-key", text("x"))))._tag, "SecretNotFound")
        assert.strictEqual((yield* Effect.flip(store.remove("default", "api-key")))._tag, "SecretNotFound")
        assert.deepStrictEqual(stored("openfaas-secrets/api-key", "team"), { value: "other" })
      }).pipe(Effect.provide(layer))
    }))
})
