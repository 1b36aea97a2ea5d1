/**
 * Function secrets in Nomad Variables, for clusters without Vault: one
 * variable per secret at `<prefix>/<name>` in the function's namespace,
 * written with check-and-set. Tasks read them through `nomadVar` templates;
 * with ACLs on, their workload identity needs read access to the prefix
 * (see the README).
 */
import { Effect, Layer, Schema } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { SecretExists, UpstreamError } from "../../domain/errors.ts"
import type { SecretValue } from "../../domain/Secret.ts"
import { jobSettingsFrom, type SecretSource } from "../../jobs/JobSettings.ts"
import { secretData, secretStoragePath } from "../../jobs/secretTemplates.ts"
import { SecretStore } from "../../services/SecretStore.ts"
import { decodeAnswer, matchStatus, unexpected } from "../http/answers.ts"
import type { ApiAnswer } from "../http/ApiClient.ts"
import { writeOnCurrentVersion } from "../http/writeOnCurrentVersion.ts"
import { type NomadApi, NomadApiClient } from "./NomadApiClient.ts"

const VariableMeta = Schema.Struct({ Path: Schema.String, ModifyIndex: Schema.Number })
const decodeVariables = decodeAnswer("nomad", Schema.Array(VariableMeta))
const decodeVariable = decodeAnswer("nomad", VariableMeta)

export const make = (client: NomadApi, source: Extract<SecretSource, { backend: "nomad" }>) => {
  const varPath = (name: string) =>
    `/v1/var/${secretStoragePath(source, "", name).split("/").map(encodeURIComponent).join("/")}`

  /** The variable's ModifyIndex, or undefined when it does not exist. */
  const modifyIndex = (namespace: string, name: string) =>
    client.send(client.request("GET", varPath(name), { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus<number | undefined, UpstreamError>(answer, {
          200: (ok) => Effect.map(decodeVariable(ok, `read secret ${name}`), (v) => v.ModifyIndex),
          404: () => Effect.undefined,
          orElse: (other) => Effect.fail(unexpected("nomad", other, `read secret ${name}`))
        })
      )
    )

  const put = (namespace: string, name: string, value: SecretValue, cas: number) =>
    client.send(
      HttpClientRequest.setBody(
        client.request("PUT", varPath(name), { namespace, cas: String(cas) }),
        HttpBody.jsonUnsafe({
          Namespace: namespace,
          Path: secretStoragePath(source, namespace, name),
          Items: secretData(value)
        })
      ),
      { retry: "write" }
    )

  const list = (namespace: string) =>
    client.send(client.request("GET", "/v1/vars", { namespace, prefix: `${source.prefix}/` }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => decodeVariables(ok, "list secrets"),
          orElse: (other) => Effect.fail(unexpected("nomad", other, "list secrets"))
        })
      ),
      Effect.map((variables) =>
        variables
          .map((v) => v.Path.slice(source.prefix.length + 1))
          .filter((name) => name !== "" && !name.includes("/"))
          .sort()
      )
    )

  const create = (namespace: string, name: string, value: SecretValue) =>
    put(namespace, name, value, 0).pipe(
      Effect.flatMap((answer) =>
        matchStatus<void, SecretExists | UpstreamError>(answer, {
          200: () => Effect.void,
          204: () => Effect.void,
          409: () => Effect.fail(new SecretExists({ name, namespace })),
          orElse: (other) => Effect.fail(unexpected("nomad", other, `create secret ${name}`))
        })
      )
    )

  /** A check-and-set write on the index just read; another writer in between means read again. */
  const onCurrent = (
    namespace: string,
    name: string,
    write: (index: number) => Effect.Effect<ApiAnswer, UpstreamError>,
    what: string
  ) =>
    writeOnCurrentVersion({
      namespace,
      name,
      version: modifyIndex(namespace, name),
      write,
      lostRace: (answer) => answer.status === 409,
      refused: (answer) => unexpected("nomad", answer, what)
    })

  return SecretStore.of({
    list,
    exists: (namespace, name) => Effect.map(modifyIndex(namespace, name), (i) => i !== undefined),
    create,
    update: (namespace, name, value) =>
      onCurrent(namespace, name, (index) => put(namespace, name, value, index), `update secret ${name}`),
    remove: (namespace, name) =>
      onCurrent(
        namespace,
        name,
        (index) =>
          client.send(client.request("DELETE", varPath(name), { namespace, cas: String(index) }), { retry: "write" }),
        `delete secret ${name}`
      )
  })
}

export const layer: Layer.Layer<SecretStore, never, NomadApiClient | ProviderConfig> = Layer.effect(
  SecretStore,
  Effect.gen(function*() {
    const source = jobSettingsFrom(yield* ProviderConfig).secrets
    if (source.backend !== "nomad") return yield* Effect.die(new Error("SecretStoreNomad needs secrets_backend=nomad"))
    return make(yield* NomadApiClient, source)
  })
)
