/**
 * /system/secrets: list names (never values), create, update, delete. The
 * namespace comes from the query, then the body, else the default; `rawValue`
 * (base64, as Go encodes bytes) wins over `value` when it is not empty.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { InvalidRequest } from "../../domain/errors.ts"
import { SecretDeleteRequest, SecretRequest, type SecretValue } from "../../domain/Secret.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { SecretStore } from "../../services/SecretStore.ts"
import { respond } from "../errorResponse.ts"
import { readJsonBody, requestNamespace } from "../requestInput.ts"

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

const done = (status: number) => HttpServerResponse.empty({ status, headers: { "content-length": "0" } })

export const SecretRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const store = yield* SecretStore
  const namespaces = yield* Namespaces

  const handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    switch (request.method) {
      case "GET": {
        const namespace = yield* requestNamespace(namespaces)
        const names = yield* store.list(namespace)
        return HttpServerResponse.jsonUnsafe(names.map((name) => ({ name, namespace })))
      }
      case "POST": {
        const body = yield* readJsonBody(SecretRequest)
        const namespace = yield* requestNamespace(namespaces, body.namespace)
        yield* store.create(namespace, body.name, yield* secretValue(body))
        return done(201)
      }
      case "PUT": {
        const body = yield* readJsonBody(SecretRequest)
        const namespace = yield* requestNamespace(namespaces, body.namespace)
        yield* store.update(namespace, body.name, yield* secretValue(body))
        return done(200)
      }
      case "DELETE": {
        const body = yield* readJsonBody(SecretDeleteRequest)
        const namespace = yield* requestNamespace(namespaces, body.namespace)
        yield* store.remove(namespace, body.name)
        return done(200)
      }
      default:
        return HttpServerResponse.text(`method ${request.method} is not supported on /system/secrets\n`, {
          status: 405,
          headers: { allow: "GET, POST, PUT, DELETE" }
        })
    }
  }).pipe(respond)

  yield* router.add("*", "/system/secrets", handler)
}))
