/**
 * The secrets endpoints: list names (never values), create, update, delete.
 * The namespace comes from the query, then the body, else the default;
 * `rawValue` (base64, as Go encodes bytes) wins over `value` when it is not
 * empty. Other methods on /system/secrets are answered 405 with `Allow`, as
 * faas-provider's one handler for the path does.
 */
import { Effect } from "effect"
import { type HttpMethod, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { METHODS } from "node:http"
import { InvalidRequest } from "../../domain/errors.ts"
import type { SecretRequest, SecretValue } from "../../domain/Secret.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { SecretStore } from "../../services/SecretStore.ts"
import { ProviderApi } from "../api/ProviderApi.ts"

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** The secret's content, or why the body does not give one. */
export const secretValue = (request: SecretRequest): Effect.Effect<SecretValue, InvalidRequest> => {
  if (request.rawValue !== undefined && request.rawValue !== null && request.rawValue !== "") {
    return base64.test(request.rawValue)
      ? Effect.succeed({ _tag: "Binary", bytes: Buffer.from(request.rawValue, "base64") })
      : Effect.fail(new InvalidRequest({ message: "rawValue: must be base64 (standard alphabet, padded)" }))
  }
  return request.value === undefined
    ? Effect.fail(new InvalidRequest({ message: "value: a secret needs a value or a rawValue" }))
    : Effect.succeed({ _tag: "Text", text: request.value })
}

export const SecretHandlers = HttpApiBuilder.group(
  ProviderApi,
  "secrets",
  Effect.fnUntraced(function*(handlers) {
    const store = yield* SecretStore
    const namespaces = yield* Namespaces
    const namespace = (query: { readonly namespace?: string }, body?: string) =>
      namespaces.resolve(query.namespace || body)

    return handlers
      .handle("list", ({ query }) =>
        Effect.gen(function*() {
          const ns = yield* namespace(query)
          const names = yield* store.list(ns)
          return names.map((name) => ({ name, namespace: ns }))
        }))
      .handle("create", ({ payload, query }) =>
        Effect.gen(function*() {
          const ns = yield* namespace(query, payload.namespace)
          yield* store.create(ns, payload.name, yield* secretValue(payload))
        }))
      .handle("update", ({ payload, query }) =>
        Effect.gen(function*() {
          const ns = yield* namespace(query, payload.namespace)
          yield* store.update(ns, payload.name, yield* secretValue(payload))
        }))
      .handle(
        "delete",
        ({ payload, query }) =>
          Effect.flatMap(namespace(query, payload.namespace), (ns) => store.remove(ns, payload.name))
      )
  })
)

/** Every method Node reads but the four declared, HEAD included. */
const otherMethods = METHODS.filter((method) => !["GET", "POST", "PUT", "DELETE"].includes(method)) as Array<
  HttpMethod.HttpMethod
>

/** 405, naming the methods allowed; behind basic auth, as the declared ones are. */
export const SecretsOtherMethods = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const refuse = Effect.map(
    Effect.service(HttpServerRequest.HttpServerRequest),
    (request) =>
      HttpServerResponse.text(`method ${request.method} is not supported on /system/secrets\n`, {
        status: 405,
        headers: { allow: "GET, POST, PUT, DELETE" }
      })
  )
  yield* router.addAll(otherMethods.map((method) => HttpRouter.route(method, "/system/secrets", refuse)))
}))
