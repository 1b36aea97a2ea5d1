/**
 * Reading what a request carries: a JSON body decoded with a schema, query
 * parameters, and the namespace it names. Every problem becomes
 * `InvalidRequest` with a message that lists each one (`service: must be a
 * DNS-1123 label`), or `PayloadTooLarge`.
 */
import { Effect, Schema } from "effect"
import { HttpIncomingMessage, HttpServerRequest } from "effect/http"
import { InvalidRequest, PayloadTooLarge } from "../domain/errors.ts"
import { FunctionName } from "../domain/FunctionName.ts"
import type { Namespaces } from "../provider/Namespaces.ts"
import { formatIssues } from "../schema/issues.ts"

export const decodeWith = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, root?: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (input: unknown): Effect.Effect<S["Type"], InvalidRequest> =>
    decode(input, { errors: "all" }).pipe(
      Effect.mapError((error) => new InvalidRequest({ message: formatIssues(error.issue, root) }))
    )
}

/** `{ name }`, from path parameters or a query, with `name` a function name; a problem is reported under `name`. */
export const decodeNameField = decodeWith(Schema.Struct({ name: FunctionName }))

const bodyText = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  return yield* request.text.pipe(
    Effect.catchTag("HttpServerError", (error) =>
      Effect.flatMap(
        Effect.service(HttpIncomingMessage.MaxBodySize),
        (limit): Effect.Effect<never, PayloadTooLarge | InvalidRequest> =>
          error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
            ? Effect.fail(new PayloadTooLarge({ limitBytes: Number(limit ?? 0) }))
            : Effect.fail(new InvalidRequest({ message: `could not read the request body: ${error.message}` }))
      ))
  )
})

/**
 * What JSON.parse found wrong, without the excerpt of the body V8 quotes
 * (`Unexpected token 'd', ..."auth": dXNl"... is not valid JSON`): a body may
 * carry credentials, and an error must not echo them.
 */
const jsonProblem = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return message.endsWith("is not valid JSON") ? "unexpected character" : message
}

/** The body parsed as JSON, then decoded; bodies are limited by `HttpIncomingMessage.MaxBodySize`. */
export const readJsonBody = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S) => {
  const decode = decodeWith(schema)
  return Effect.gen(function*() {
    const text = yield* bodyText
    if (text.trim() === "") {
      return yield* new InvalidRequest({ message: "the request body is empty: expected a JSON object" })
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (cause) {
      return yield* new InvalidRequest({ message: `the request body is not valid JSON: ${jsonProblem(cause)}` })
    }
    return yield* decode(json)
  })
}

/** A query parameter; when a key is repeated the last value counts, as in faas-provider. */
export const queryParam = (request: HttpServerRequest.HttpServerRequest, name: string): string | undefined => {
  const q = request.url.indexOf("?")
  if (q === -1) return undefined
  const values = new URLSearchParams(request.url.slice(q + 1)).getAll(name)
  return values.length === 0 ? undefined : values[values.length - 1]
}

/** The namespace a request names, resolved: the `namespace` query first, then the body's, else the default. */
export const requestNamespace = (namespaces: Namespaces["Service"], bodyNamespace?: string) =>
  Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => namespaces.resolve(queryParam(request, "namespace") || bodyNamespace)
  )
