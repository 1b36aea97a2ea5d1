/**
 * Every error a route can end with, turned into a status and a plain-text
 * message, in one place. Bodies are text, as the Go providers answer and as
 * faas-cli prints them; a dependency's failure names the dependency.
 */
import { Effect, Schema } from "effect"
import { HttpServerResponse } from "effect/http"
import { ApiError, type UpstreamError } from "../domain/errors.ts"

const upstreamStatus: Record<UpstreamError["reason"], number> = {
  Unavailable: 503,
  Timeout: 504,
  PermissionDenied: 502,
  BadResponse: 502
}

const upstreamMessage = (e: UpstreamError) => {
  switch (e.reason) {
    case "Unavailable":
      return `${e.dependency} is unavailable: ${e.message}`
    case "Timeout":
      return `${e.dependency} did not answer in time: ${e.message}`
    case "PermissionDenied":
      return `${e.dependency} refused the provider's token: ${e.message}`
    case "BadResponse":
      return `${e.dependency} gave an answer the provider cannot use: ${e.message}`
  }
}

const qualified = (e: { readonly name: string; readonly namespace: string }) =>
  `"${e.name}" in namespace "${e.namespace}"`

export const describeError = (error: ApiError): { readonly status: number; readonly message: string } => {
  switch (error._tag) {
    case "InvalidRequest":
      return { status: 400, message: error.message }
    case "PayloadTooLarge":
      return {
        status: 413,
        message: `request body is larger than ${error.limitBytes} bytes (${error.setting ?? "max_body_size"})`
      }
    case "NamespaceNotFound":
      return {
        status: 400,
        message: `namespace "${error.namespace}" is not an OpenFaaS namespace: ` +
          `create it in Nomad with Meta openfaas=true, or use the default namespace`
      }
    case "FunctionNotFound":
      return { status: 404, message: `function ${qualified(error)} not found` }
    case "FunctionExists":
      return {
        status: 409,
        message: `function ${qualified(error)} already exists; update it with PUT /system/functions`
      }
    case "ConcurrentModification":
      return { status: 409, message: `${error.kind} ${qualified(error)} kept changing during this request; try again` }
    case "DeploymentRejected":
      return { status: 400, message: `Nomad rejected the job of function "${error.name}": ${error.message}` }
    case "LogRequestInvalid":
      return { status: 422, message: `could not parse the log request: ${error.message}` }
    case "NotImplemented":
      return { status: 501, message: `${error.feature} is not implemented by this provider yet` }
    case "UpstreamError":
      return { status: upstreamStatus[error.reason], message: upstreamMessage(error) }
    case "NoReadyInstance":
      return {
        status: 503,
        message: `No endpoints available for: ${error.name}.${error.namespace}.${
          error.reason === undefined ? "" : ` Its instances failed: ${error.reason}`
        }`
      }
    case "InvocationFailed":
      return { status: 502, message: `Can't reach service for: ${error.name}.${error.namespace}: ${error.message}` }
    case "InvocationTimeout":
      return {
        status: 504,
        message: `Function ${error.name}.${error.namespace} did not answer within ${error.timeoutMillis} ms`
      }
    case "TooManyInvocations":
      return {
        status: 429,
        message: `${error.name}.${error.namespace} is at its limit of ${error.maxInflight} concurrent invocations`
      }
    case "SecretNotFound":
      return { status: 404, message: `secret ${qualified(error)} not found` }
    case "SecretExists":
      return { status: 409, message: `secret ${qualified(error)} already exists; update it with PUT /system/secrets` }
  }
}

/** faas-provider marks the proxy's own errors, so a function's 5xx and the provider's can be told apart. */
const proxyHeaders = { "x-openfaas-internal": "proxy" }

export const errorResponse = (
  error: ApiError,
  options?: { readonly fromProxy?: boolean }
): HttpServerResponse.HttpServerResponse => {
  const { message, status } = describeError(error)
  return HttpServerResponse.text(`${message}\n`, {
    status,
    contentType: "text/plain; charset=utf-8",
    ...(options?.fromProxy === true ? { headers: proxyHeaders } : {})
  })
}

/** Whether a failure is one a caller can act on, rather than a defect: derived from `ApiError` itself. */
export const isApiError: (e: unknown) => e is ApiError = Schema.is(ApiError)

/** Ends a route with its error's response; what is left in the error channel is only what cannot be mapped. */
export const respond = <E, R>(
  route: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, Exclude<E, ApiError>, R> =>
  Effect.catchIf(
    route,
    (e): e is Extract<E, ApiError> => isApiError(e),
    (e) => Effect.succeed(errorResponse(e as ApiError))
  ) as Effect.Effect<HttpServerResponse.HttpServerResponse, Exclude<E, ApiError>, R>
