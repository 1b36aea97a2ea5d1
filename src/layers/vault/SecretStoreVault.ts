/**
 * Function secrets in Vault's KV v2 engine: `<mount>/data/<prefix>/<namespace>/<name>`.
 * Creation is check-and-set (`cas: 0`), an update writes on the version it
 * read, deletion removes every version. Vault down is a 503 naming Vault;
 * a refused token a 502 that says so.
 */
import { Effect, Layer, Schema } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { SecretExists, SecretNotFound, UpstreamError } from "../../domain/errors.ts"
import type { SecretValue } from "../../domain/Secret.ts"
import { jobSettingsFrom, type SecretSource } from "../../jobs/JobSettings.ts"
import { secretData, secretStoragePath } from "../../jobs/secretTemplates.ts"
import { SecretStore } from "../../services/SecretStore.ts"
import { decodeAnswer, matchStatus, unexpected } from "../http/answers.ts"
import type { ApiAnswer, ApiClient } from "../http/ApiClient.ts"
import { writeOnCurrentVersion } from "../http/writeOnCurrentVersion.ts"
import { VaultApiClient, vaultErrorText } from "./VaultApiClient.ts"

const ListAnswer = Schema.Struct({ data: Schema.Struct({ keys: Schema.Array(Schema.String) }) })
const MetadataAnswer = Schema.Struct({
  data: Schema.Struct({
    current_version: Schema.Number,
    versions: Schema.Record(
      Schema.String,
      Schema.Struct({ deletion_time: Schema.String, destroyed: Schema.Boolean })
    )
  })
})
const decodeList = decodeAnswer("vault", ListAnswer)
const decodeMetadata = decodeAnswer("vault", MetadataAnswer)

/** Vault's own error text (its `errors` list) rather than the raw body. */
const failure = (answer: ApiAnswer, what: string): UpstreamError =>
  unexpected("vault", answer, what, vaultErrorText(answer))

const casMismatch = (answer: ApiAnswer) =>
  answer.status === 400 && vaultErrorText(answer).includes("check-and-set parameter did not match")

export const make = (client: ApiClient, source: Extract<SecretSource, { backend: "vault" }>) => {
  const { mount, prefix } = source
  const path = (namespace: string, name: string) => secretStoragePath(source, namespace, name)
  const url = (kind: "data" | "metadata", rest: string) =>
    client.url(`/v1/${mount}/${kind}/${rest.split("/").map(encodeURIComponent).join("/")}`)

  /** The current version, or undefined when the secret does not exist or its latest version is deleted. */
  const currentVersion = (namespace: string, name: string) =>
    client.send(HttpClientRequest.get(url("metadata", path(namespace, name))), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus<number | undefined, UpstreamError>(answer, {
          200: (ok) =>
            Effect.map(decodeMetadata(ok, `read secret ${name}`), ({ data }) => {
              const latest = data.versions[String(data.current_version)]
              return latest === undefined || latest.destroyed || latest.deletion_time !== ""
                ? undefined
                : data.current_version
            }),
          404: () => Effect.undefined,
          orElse: (other) => Effect.fail(failure(other, `read secret ${name}`))
        })
      )
    )

  const write = (namespace: string, name: string, value: SecretValue, cas: number) =>
    client.send(
      HttpClientRequest.post(url("data", path(namespace, name)), {
        body: HttpBody.jsonUnsafe({ data: secretData(value), options: { cas } })
      }),
      { retry: "write" }
    )

  const list = (namespace: string) =>
    client.send(HttpClientRequest.get(`${url("metadata", `${prefix}/${namespace}`)}/?list=true`), { retry: "read" })
      .pipe(
        Effect.flatMap((answer) =>
          matchStatus<ReadonlyArray<string>, UpstreamError>(answer, {
            200: (ok) =>
              Effect.map(
                decodeList(ok, "list secrets"),
                ({ data }) => data.keys.filter((k) => !k.endsWith("/")).sort()
              ),
            404: () => Effect.succeed([]),
            orElse: (other) => Effect.fail(failure(other, "list secrets"))
          })
        )
      )

  const create = (namespace: string, name: string, value: SecretValue) =>
    write(namespace, name, value, 0).pipe(
      Effect.flatMap((answer) =>
        matchStatus<void, SecretExists | UpstreamError>(answer, {
          200: () => Effect.void,
          204: () => Effect.void,
          orElse: (other) =>
            Effect.fail(
              casMismatch(other) ? new SecretExists({ name, namespace }) : failure(other, `create secret ${name}`)
            )
        })
      )
    )

  const update = (namespace: string, name: string, value: SecretValue) =>
    writeOnCurrentVersion({
      namespace,
      name,
      version: currentVersion(namespace, name),
      write: (version: number) => write(namespace, name, value, version),
      lostRace: casMismatch,
      refused: (answer) => failure(answer, `update secret ${name}`)
    })

  const remove = (namespace: string, name: string) =>
    Effect.gen(function*() {
      if ((yield* currentVersion(namespace, name)) === undefined) return yield* new SecretNotFound({ name, namespace })
      const answer = yield* client.send(HttpClientRequest.delete(url("metadata", path(namespace, name))), {
        retry: "write"
      })
      if (answer.status !== 204 && answer.status !== 200) return yield* failure(answer, `delete secret ${name}`)
    })

  return SecretStore.of({
    list,
    exists: (namespace, name) => Effect.map(currentVersion(namespace, name), (v) => v !== undefined),
    create,
    update,
    remove
  })
}

export const layer: Layer.Layer<SecretStore, never, VaultApiClient | ProviderConfig> = Layer.effect(
  SecretStore,
  Effect.gen(function*() {
    const source = jobSettingsFrom(yield* ProviderConfig).secrets
    if (source.backend !== "vault") return yield* Effect.die(new Error("SecretStoreVault needs secrets_backend=vault"))
    return make(yield* VaultApiClient, source)
  })
)
