/**
 * Every error the API and the invocation proxy can end with, as HTTP: its
 * status and the plain-text message it is sent as, in one place. Bodies are
 * text, as the Go providers answer and as faas-cli prints them; a
 * dependency's failure names the dependency.
 *
 * Each form is also a schema the API declaration lists (`ErrorSchemas`): the
 * server encodes a failure with it, the OpenAPI document shows its status,
 * and the typed client reads the text back into the error it was made from.
 * A failing dependency's status follows why it failed (503, 504, 502), so
 * `UpstreamError` has one form per reason.
 */
import { Effect, Schema, SchemaIssue, SchemaTransformation } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiSchema } from "effect/http-api"
import {
  ApiError,
  ConcurrentModification,
  Dependency,
  DeploymentRejected,
  FunctionExists,
  FunctionNotFound,
  InvalidRequest,
  InvocationFailed,
  InvocationTimeout,
  LogRequestInvalid,
  NamespaceNotFound,
  NoReadyInstance,
  NotImplemented,
  PayloadTooLarge,
  SecretExists,
  SecretNotFound,
  TooManyInvocations,
  UpstreamError,
  type UpstreamReason
} from "../domain/errors.ts"

/**
 * How one error reads on the wire: its status, its message, and the message
 * read back (`undefined` when the text is another error's). Every message
 * reads back into the error it was written from.
 */
interface ErrorForm<E extends ApiError> {
  readonly status: number
  readonly description: string
  /** One, for the OpenAPI document. */
  readonly example: E
  readonly format: (error: E) => string
  readonly parse: (message: string) => E | undefined
}

const matching = <E>(pattern: RegExp, make: (groups: ReadonlyArray<string>) => E) => (message: string) => {
  const match = pattern.exec(message)
  return match === null ? undefined : make(match.slice(1))
}

const quoted = (e: { readonly name: string; readonly namespace: string }) => `"${e.name}" in namespace "${e.namespace}"`
const inNamespace = String.raw`"([^"]*)" in namespace "([^"]*)"`
const dependency = `(${Dependency.literals.join("|")})`

const upstream = (
  reason: UpstreamReason,
  status: number,
  phrase: string,
  description: string,
  detail: string
): ErrorForm<UpstreamError> => ({
  status,
  description,
  example: new UpstreamError({ dependency: "nomad", reason, message: detail }),
  format: (e) => `${e.dependency} ${phrase}: ${e.message}`,
  parse: matching(
    new RegExp(`^${dependency} ${phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: (.*)$`, "s"),
    ([named, message]) => new UpstreamError({ dependency: named as Dependency, reason, message: message! })
  )
})

/** The forms, by tag; `UpstreamError` by reason. */
export const errorForms = {
  InvalidRequest: {
    status: 400,
    description: "The request cannot be read: each problem on a line of its own",
    example: new InvalidRequest({
      message:
        "service: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit\nimage: Missing key"
    }),
    format: (e) => e.message,
    // Any text: tried after every other 400.
    parse: (message) => new InvalidRequest({ message })
  } satisfies ErrorForm<InvalidRequest>,
  PayloadTooLarge: {
    status: 413,
    description: "The request body is over the limit",
    example: new PayloadTooLarge({ limitBytes: 1048576 }),
    format: (e) => `request body is larger than ${e.limitBytes} bytes (${e.setting ?? "max_body_size"})`,
    parse: matching(/^request body is larger than (\d+) bytes \((.+)\)$/, ([limit, setting]) =>
      new PayloadTooLarge({
        limitBytes: Number(limit),
        ...(setting === "max_body_size" ? {} : { setting: setting! })
      }))
  } satisfies ErrorForm<PayloadTooLarge>,
  NamespaceNotFound: {
    status: 400,
    description: "The namespace is not one of OpenFaaS's",
    example: new NamespaceNotFound({ namespace: "team-b" }),
    format: (e) =>
      `namespace "${e.namespace}" is not an OpenFaaS namespace: ` +
      `create it in Nomad with Meta openfaas=true, or use the default namespace`,
    parse: matching(
      /^namespace "([^"]*)" is not an OpenFaaS namespace: create it in Nomad with Meta openfaas=true, or use the default namespace$/,
      ([namespace]) => new NamespaceNotFound({ namespace: namespace! })
    )
  } satisfies ErrorForm<NamespaceNotFound>,
  FunctionNotFound: {
    status: 404,
    description: "No such function",
    example: new FunctionNotFound({ name: "figlet", namespace: "default" }),
    format: (e) => `function ${quoted(e)} not found`,
    parse: matching(
      new RegExp(`^function ${inNamespace} not found$`),
      ([name, namespace]) => new FunctionNotFound({ name: name!, namespace: namespace! })
    )
  } satisfies ErrorForm<FunctionNotFound>,
  FunctionExists: {
    status: 409,
    description: "The function exists already",
    example: new FunctionExists({ name: "figlet", namespace: "default" }),
    format: (e) => `function ${quoted(e)} already exists; update it with PUT /system/functions`,
    parse: matching(
      new RegExp(`^function ${inNamespace} already exists; update it with PUT /system/functions$`),
      ([name, namespace]) => new FunctionExists({ name: name!, namespace: namespace! })
    )
  } satisfies ErrorForm<FunctionExists>,
  ConcurrentModification: {
    status: 409,
    description: "It kept changing under the request",
    example: new ConcurrentModification({ kind: "function", name: "figlet", namespace: "default" }),
    format: (e) => `${e.kind} ${quoted(e)} kept changing during this request; try again`,
    parse: matching(
      new RegExp(`^(function|secret) ${inNamespace} kept changing during this request; try again$`),
      ([kind, name, namespace]) =>
        new ConcurrentModification({ kind: kind as "function" | "secret", name: name!, namespace: namespace! })
    )
  } satisfies ErrorForm<ConcurrentModification>,
  DeploymentRejected: {
    status: 400,
    description: "Nomad refused the job made from the deployment",
    example: new DeploymentRejected({ name: "figlet", message: "Task group figlet validation failed" }),
    format: (e) => `Nomad rejected the job of function "${e.name}": ${e.message}`,
    parse: matching(
      /^Nomad rejected the job of function "([^"]*)": (.*)$/s,
      ([name, message]) => new DeploymentRejected({ name: name!, message: message! })
    )
  } satisfies ErrorForm<DeploymentRejected>,
  LogRequestInvalid: {
    status: 422,
    description: "`tail` or `since` cannot be read",
    example: new LogRequestInvalid({ message: `tail: "many" is not a whole number` }),
    format: (e) => `could not parse the log request: ${e.message}`,
    parse: matching(
      /^could not parse the log request: (.*)$/s,
      ([message]) => new LogRequestInvalid({ message: message! })
    )
  } satisfies ErrorForm<LogRequestInvalid>,
  NotImplemented: {
    status: 501,
    description: "Not implemented by this provider",
    example: new NotImplemented({ feature: "this" }),
    format: (e) => `${e.feature} is not implemented by this provider yet`,
    parse: matching(
      /^(.*) is not implemented by this provider yet$/s,
      ([feature]) => new NotImplemented({ feature: feature! })
    )
  } satisfies ErrorForm<NotImplemented>,
  UpstreamUnavailable: upstream(
    "Unavailable",
    503,
    "is unavailable",
    "A dependency (nomad, consul, vault) is unreachable or failing",
    "list jobs: connect ECONNREFUSED 127.0.0.1:4646"
  ),
  UpstreamTimeout: upstream(
    "Timeout",
    504,
    "did not answer in time",
    "A dependency did not answer in time",
    "no answer within 10s (GET /v1/jobs)"
  ),
  UpstreamPermissionDenied: upstream(
    "PermissionDenied",
    502,
    "refused the provider's token",
    "A dependency refused the provider's token",
    "list jobs: Permission denied"
  ),
  UpstreamBadResponse: upstream(
    "BadResponse",
    502,
    "gave an answer the provider cannot use",
    "A dependency answered something the provider cannot use",
    "list jobs: the answer is not JSON"
  ),
  NoReadyInstance: {
    status: 503,
    description: "No instance of the function is ready",
    example: new NoReadyInstance({ name: "figlet", namespace: "default" }),
    format: (e) =>
      `No endpoints available for: ${e.name}.${e.namespace}.${
        e.reason === undefined ? "" : ` Its instances failed: ${e.reason}`
      }`,
    parse: matching(
      /^No endpoints available for: ([^.]*)\.([^.]*)\.(?: Its instances failed: (.*))?$/s,
      ([name, namespace, reason]) =>
        new NoReadyInstance({ name: name!, namespace: namespace!, ...(reason === undefined ? {} : { reason }) })
    )
  } satisfies ErrorForm<NoReadyInstance>,
  InvocationFailed: {
    status: 502,
    description: "The function's instance could not be reached",
    example: new InvocationFailed({ name: "figlet", namespace: "default", message: "connection refused" }),
    format: (e) => `Can't reach service for: ${e.name}.${e.namespace}: ${e.message}`,
    parse: matching(
      /^Can't reach service for: ([^.]*)\.([^.:]*): (.*)$/s,
      ([name, namespace, message]) => new InvocationFailed({ name: name!, namespace: namespace!, message: message! })
    )
  } satisfies ErrorForm<InvocationFailed>,
  InvocationTimeout: {
    status: 504,
    description: "The function did not answer in time",
    example: new InvocationTimeout({ name: "figlet", namespace: "default", timeoutMillis: 60000 }),
    format: (e) => `Function ${e.name}.${e.namespace} did not answer within ${e.timeoutMillis} ms`,
    parse: matching(
      /^Function ([^.]*)\.(\S*) did not answer within (\d+) ms$/,
      ([name, namespace, ms]) =>
        new InvocationTimeout({ name: name!, namespace: namespace!, timeoutMillis: Number(ms) })
    )
  } satisfies ErrorForm<InvocationTimeout>,
  TooManyInvocations: {
    status: 429,
    description: "The function is at its limit of concurrent invocations",
    example: new TooManyInvocations({ name: "figlet", namespace: "default", maxInflight: 10 }),
    format: (e) => `${e.name}.${e.namespace} is at its limit of ${e.maxInflight} concurrent invocations`,
    parse: matching(
      /^([^.]*)\.(\S*) is at its limit of (\d+) concurrent invocations$/,
      ([name, namespace, max]) =>
        new TooManyInvocations({ name: name!, namespace: namespace!, maxInflight: Number(max) })
    )
  } satisfies ErrorForm<TooManyInvocations>,
  SecretNotFound: {
    status: 404,
    description: "No such secret",
    example: new SecretNotFound({ name: "api-key", namespace: "default" }),
    format: (e) => `secret ${quoted(e)} not found`,
    parse: matching(
      new RegExp(`^secret ${inNamespace} not found$`),
      ([name, namespace]) => new SecretNotFound({ name: name!, namespace: namespace! })
    )
  } satisfies ErrorForm<SecretNotFound>,
  SecretExists: {
    status: 409,
    description: "The secret exists already",
    example: new SecretExists({ name: "api-key", namespace: "default" }),
    format: (e) => `secret ${quoted(e)} already exists; update it with PUT /system/secrets`,
    parse: matching(
      new RegExp(`^secret ${inNamespace} already exists; update it with PUT /system/secrets$`),
      ([name, namespace]) => new SecretExists({ name: name!, namespace: namespace! })
    )
  } satisfies ErrorForm<SecretExists>
} as const

const upstreamForms = {
  Unavailable: errorForms.UpstreamUnavailable,
  Timeout: errorForms.UpstreamTimeout,
  PermissionDenied: errorForms.UpstreamPermissionDenied,
  BadResponse: errorForms.UpstreamBadResponse
} as const

const formOf = (error: ApiError): ErrorForm<ApiError> =>
  (error._tag === "UpstreamError" ? upstreamForms[error.reason] : errorForms[error._tag]) as ErrorForm<ApiError>

export const describeError = (error: ApiError): { readonly status: number; readonly message: string } => {
  const form = formOf(error)
  return { status: form.status, message: form.format(error) }
}

/** The content type of every error body. */
export const errorContentType = "text/plain; charset=utf-8"

/** faas-provider marks the proxy's own errors, so a function's 5xx and the provider's can be told apart. */
const proxyHeaders = { "x-openfaas-internal": "proxy" }

export const errorResponse = (
  error: ApiError,
  options?: { readonly fromProxy?: boolean }
): HttpServerResponse.HttpServerResponse => {
  const { message, status } = describeError(error)
  return HttpServerResponse.text(`${message}\n`, {
    status,
    contentType: errorContentType,
    ...(options?.fromProxy === true ? { headers: proxyHeaders } : {})
  })
}

/**
 * The form as a schema the declaration lists: text on the wire, the error
 * when decoded, with its status and a description for the OpenAPI document.
 * `when` narrows it to some of the error's values (an upstream failure's
 * reason), so that encoding picks the form by the value.
 */
const asSchema = <S extends Schema.Top & { readonly Type: ApiError }>(
  error: S,
  form: ErrorForm<S["Type"]>,
  when?: (error: S["Type"]) => boolean
) => {
  const type = Schema.toType(error)
  const narrowed = when === undefined ? type : type.check(Schema.makeFilter((e: S["Type"]) => when(e)))
  return Schema.String.annotate({ examples: [`${form.format(form.example)}\n`] }).pipe(
    Schema.decodeTo(
      narrowed,
      SchemaTransformation.transformEffect<S["Type"], string>({
        decode: (text) => {
          const parsed = form.parse(text.endsWith("\n") ? text.slice(0, -1) : text)
          return parsed === undefined
            ? Effect.fail(
              new SchemaIssue.InvalidValue({
                message: `not ${error.ast.annotations?.identifier ?? "this error"}'s message`
              })
            )
            : Effect.succeed(parsed)
        },
        encode: (e) => Effect.succeed(`${form.format(e)}\n`)
      })
    ),
    HttpApiSchema.status(form.status),
    HttpApiSchema.asText({ contentType: errorContentType })
  ).annotate({ description: form.description })
}

/** What the API's endpoints list in `error`: one schema per form. */
export const ErrorSchemas = {
  InvalidRequest: asSchema(InvalidRequest, errorForms.InvalidRequest),
  PayloadTooLarge: asSchema(PayloadTooLarge, errorForms.PayloadTooLarge),
  NamespaceNotFound: asSchema(NamespaceNotFound, errorForms.NamespaceNotFound),
  FunctionNotFound: asSchema(FunctionNotFound, errorForms.FunctionNotFound),
  FunctionExists: asSchema(FunctionExists, errorForms.FunctionExists),
  ConcurrentModification: asSchema(ConcurrentModification, errorForms.ConcurrentModification),
  DeploymentRejected: asSchema(DeploymentRejected, errorForms.DeploymentRejected),
  LogRequestInvalid: asSchema(LogRequestInvalid, errorForms.LogRequestInvalid),
  SecretNotFound: asSchema(SecretNotFound, errorForms.SecretNotFound),
  SecretExists: asSchema(SecretExists, errorForms.SecretExists),
  /** A dependency failing, one schema per status. */
  Upstream: [
    asSchema(UpstreamError, errorForms.UpstreamUnavailable, (e) => e.reason === "Unavailable"),
    asSchema(UpstreamError, errorForms.UpstreamTimeout, (e) => e.reason === "Timeout"),
    asSchema(UpstreamError, errorForms.UpstreamPermissionDenied, (e) => e.reason === "PermissionDenied"),
    asSchema(UpstreamError, errorForms.UpstreamBadResponse, (e) => e.reason === "BadResponse")
  ]
} as const

/** Whether a failure is one a caller can act on, rather than a defect: derived from `ApiError` itself. */
export const isApiError: (e: unknown) => e is ApiError = Schema.is(ApiError)
