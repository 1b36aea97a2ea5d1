/**
 * How the provider reads requests where HttpApi's defaults differ from
 * faas-provider's Go handlers, which faas-cli and the gateway rely on. One
 * middleware on every endpoint that reads a query, a path or a body, so that
 * no route repeats it:
 *
 * - a body is JSON whatever its content type says, as Go's decoder reads it;
 * - a repeated query key counts by its last value;
 * - a request that does not decode is a 400 listing every problem, one
 *   `path: problem` per line; a body that is empty or not JSON says so, and
 *   one over `max_body_size` is a 413;
 * - a `;` in a path, where the router ends a name, is refused, rather than
 *   read as the name before it.
 */
import { Cause, Context, Effect, Layer, Result } from "effect"
import {
  Headers,
  HttpIncomingMessage,
  HttpMethod,
  HttpServerError,
  HttpServerRequest,
  type HttpServerResponse
} from "effect/http"
import { type HttpApiEndpoint, HttpApiError, HttpApiMiddleware } from "effect/http-api"
import { InvalidRequest, PayloadTooLarge } from "../../domain/errors.ts"
import { formatIssues } from "../../schema/issues.ts"
import { ErrorSchemas } from "../errorResponse.ts"

export class Conventions extends HttpApiMiddleware.Service<Conventions>()("faas-nomad/Conventions", {
  error: [ErrorSchemas.InvalidRequest, ErrorSchemas.PayloadTooLarge]
}) {}

/**
 * What JSON.parse found wrong, without the excerpt of the body V8 quotes
 * (`Unexpected token 'd', ..."auth": dXNl"... is not valid JSON`): a body may
 * carry credentials, and an error must not echo them.
 */
const jsonProblem = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return message.endsWith("is not valid JSON") ? "unexpected character" : message
}

/** Why a body did not decode: it is empty, it is not JSON, or the JSON is not what the endpoint takes. */
const bodyProblem = (text: string, error: HttpApiError.HttpApiSchemaError): string => {
  if (text.trim() === "") return "the request body is empty: expected a JSON object"
  try {
    JSON.parse(text)
  } catch (cause) {
    return `the request body is not valid JSON: ${jsonProblem(cause)}`
  }
  return formatIssues(error.cause.issue)
}

/** A request that did not decode, or whose body could not be read, as the error the endpoint answers with. */
const requestProblem = (
  cause: Cause.Cause<unknown>,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<never, InvalidRequest | PayloadTooLarge> | undefined => {
  const defect = Cause.findDefect(cause)
  if (Result.isSuccess(defect)) {
    const error = defect.success
    if (!HttpServerError.isHttpServerError(error) || error.reason._tag !== "RequestParseError") return undefined
    return error.reason.reason === "BodyTooLarge"
      ? Effect.flatMap(
        Effect.service(HttpIncomingMessage.MaxBodySize),
        (limit) => Effect.fail(new PayloadTooLarge({ limitBytes: Number(limit ?? 0) }))
      )
      : Effect.fail(new InvalidRequest({ message: `could not read the request body: ${error.message}` }))
  }
  const failure = Cause.findError(cause)
  if (Result.isFailure(failure) || !HttpApiError.HttpApiSchemaError.is(failure.success)) return undefined
  const error = failure.success
  switch (error.kind) {
    case "Payload":
      // The body was read to be decoded; reading it again returns what was read.
      return Effect.flatMap(
        Effect.orDie(request.text),
        (text) => Effect.fail(new InvalidRequest({ message: bodyProblem(text, error) }))
      )
    case "Params":
    case "Query":
    case "Headers":
      return Effect.fail(new InvalidRequest({ message: formatIssues(error.cause.issue) }))
    default:
      return undefined
  }
}

/** The last value of each repeated key. */
const lastValues = (
  params: Readonly<Record<string, string | ReadonlyArray<string>>>
): Record<string, string | ReadonlyArray<string>> => {
  let out: Record<string, string | ReadonlyArray<string>> | undefined
  for (const key in params) {
    const value = params[key]!
    if (typeof value !== "string") {
      out ??= { ...params }
      out[key] = value[value.length - 1]!
    }
  }
  return out ?? params
}

const isJson = (contentType: string | undefined) =>
  contentType === undefined || /^\s*application\/json\s*(;|$)/i.test(contentType)

/** Where a request's path ends: before its query, if it has one. */
const pathEnd = (url: string) => {
  const query = url.indexOf("?")
  return query === -1 ? url.length : query
}

/**
 * The conventions around one endpoint's handler. Built once per endpoint and run on every request of the API,
 * so what each request does is a few checks: the request is changed, and the handler wrapped again, only where a
 * convention applies (a repeated query key, a body whose content type is not JSON's).
 */
const withConventions = <E, R>(
  httpEffect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  endpoint: HttpApiEndpoint.Top
): Effect.Effect<HttpServerResponse.HttpServerResponse, E | InvalidRequest | PayloadTooLarge, R> => {
  const readsPath = endpoint.params !== undefined
  const readsBody = endpoint.payload.size > 0
  /** The handler, a request that did not decode answered as the endpoint's error; `read` is the request it read. */
  const answerProblems = (
    effect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
    read?: HttpServerRequest.HttpServerRequest | undefined
  ) =>
    Effect.catchCause(
      effect,
      (cause): Effect.Effect<never, E | InvalidRequest | PayloadTooLarge> =>
        Effect.withFiber((fiber): Effect.Effect<never, E | InvalidRequest | PayloadTooLarge> =>
          requestProblem(cause, read ?? Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)) ??
            Effect.failCause(cause)
        )
    )
  const answered = answerProblems(httpEffect)
  return Effect.withFiber((fiber) => {
    const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
    if (readsPath) {
      const end = pathEnd(request.url)
      const semicolon = request.url.indexOf(";")
      if (semicolon !== -1 && semicolon < end) {
        return Effect.fail(
          new InvalidRequest({ message: `a function name cannot contain ";": ${request.url.slice(0, end)}` })
        )
      }
    }
    const query = Context.getUnsafe(fiber.context, HttpServerRequest.ParsedSearchParams)
    const lastOnly = lastValues(query)
    const rewritesBody = readsBody && HttpMethod.hasBody(request.method) && !isJson(request.headers["content-type"])
    if (lastOnly === query && !rewritesBody) return answered
    let effect = httpEffect
    let read = request
    if (lastOnly !== query) effect = Effect.provideService(effect, HttpServerRequest.ParsedSearchParams, lastOnly)
    if (rewritesBody) {
      read = request.modify({ headers: Headers.set(request.headers, "content-type", "application/json") })
      effect = Effect.provideService(effect, HttpServerRequest.HttpServerRequest, read)
    }
    return answerProblems(effect, read)
  })
}

export const ConventionsLive = Layer.succeed(Conventions)((httpEffect, { endpoint }) =>
  withConventions(httpEffect, endpoint)
)
