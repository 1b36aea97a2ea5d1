/**
 * The HTTP client Nomad, Consul and Vault are reached through: one keep-alive
 * pool per dependency with its TLS settings, a deadline on every call, and
 * retries with backoff where they are safe. Any HTTP status is an answer for
 * the caller to read; only a failure to get one is an `UpstreamError`.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Duration, Effect, Layer, Schedule, Scope } from "effect"
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { readFileSync } from "node:fs"
import { StartupError } from "../../config/StartupError.ts"
import { type Dependency, UpstreamError } from "../../domain/errors.ts"

export interface TlsSettings {
  readonly caFile?: string | undefined
  readonly certFile?: string | undefined
  readonly keyFile?: string | undefined
  readonly skipVerify?: boolean | undefined
  readonly serverName?: string | undefined
}

export interface ApiClientOptions {
  readonly dependency: Dependency
  readonly baseUrl: URL
  readonly tls: TlsSettings
  /** Headers for every request (tokens: renewing a token extends it, the token stays the same). */
  readonly headers: Readonly<Record<string, string>>
  readonly timeout: Duration.Duration
}

/**
 * `read`: idempotent; retried on transport failures, timeouts, 429 and 5xx.
 * `write`: retried only when the connection failed before anything was sent.
 */
export type RetryPolicy = "read" | "write"

export interface CallOptions {
  readonly retry: RetryPolicy
  /** Replaces the client's deadline, e.g. for a blocking query that waits on purpose. */
  readonly timeout?: Duration.Duration | undefined
}

export interface ApiAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface ApiClient {
  readonly dependency: Dependency
  /** Sends the request and reads the whole answer within the deadline. */
  readonly send: (
    request: HttpClientRequest.HttpClientRequest,
    options: CallOptions
  ) => Effect.Effect<ApiAnswer, UpstreamError>
  /** Sends the request; the deadline covers the response head only, the body streams. */
  readonly open: (
    request: HttpClientRequest.HttpClientRequest,
    options: CallOptions
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, UpstreamError>
  /** `path` (with `/v1/...`) resolved against the base URL, which may carry a path prefix. */
  readonly url: (path: string) => string
}

const connectFailures = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** The innermost error message and code of a transport failure: `connect ECONNREFUSED 127.0.0.1:4646`. */
const rootCause = (error: unknown): { readonly message: string; readonly code: string | undefined } => {
  let current: unknown = error
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as { cause?: unknown } | undefined)?.cause
    if (next === undefined || next === null) break
    current = next
  }
  const found = current as { message?: unknown; code?: unknown } | undefined
  return {
    message: typeof found?.message === "string" && found.message !== "" ? found.message : String(error),
    code: typeof found?.code === "string" ? found.code : undefined
  }
}

/** Failures where the connection failed before anything was sent: the only ones a write may retry. */
const beforeSending = new WeakSet<UpstreamError>()

/** An answer worth another try (5xx, 429); it becomes the result if the tries run out. */
class RetryableStatus {
  readonly _tag = "RetryableStatus"
  readonly answer: ApiAnswer
  constructor(answer: ApiAnswer) {
    this.answer = answer
  }
}

const isRetryableStatus = (status: number) => status === 429 || (status >= 500 && status !== 501)

const backoff = Schedule.exponential("100 millis", 2).pipe(Schedule.jittered, Schedule.upTo({ times: 3 }))

/** A file a setting names, or an error naming the setting; undefined when the setting is unset. */
export const readFile = (setting: string, path: string | undefined): Effect.Effect<string | undefined, StartupError> =>
  path === undefined ? Effect.undefined : Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (cause) => new StartupError({ message: `${setting}: cannot read ${path}: ${(cause as Error).message}` })
  })

const tlsOptions = (dependency: Dependency, tls: TlsSettings) => {
  const prefix = dependency.toUpperCase()
  return Effect.all({
    ca: readFile(`${prefix} CA certificate`, tls.caFile),
    cert: readFile(`${prefix} client certificate`, tls.certFile),
    key: readFile(`${prefix} client key`, tls.keyFile)
  }).pipe(Effect.map((files) => ({
    ...files,
    rejectUnauthorized: tls.skipVerify !== true,
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName })
  })))
}

export const makeApiClient = (options: ApiClientOptions): Effect.Effect<ApiClient, StartupError, Scope.Scope> =>
  Effect.gen(function*() {
    const connect = yield* tlsOptions(options.dependency, options.tls)
    const context = yield* Layer.build(NodeHttpClient.layerUndiciOptions({ connect }))
    const client = Context.get(context, HttpClient.HttpClient)
    const base = options.baseUrl.href.replace(/\/$/, "")
    const { dependency } = options

    const failure = (request: HttpClientRequest.HttpClientRequest, error: HttpClientError.HttpClientError) => {
      const { message } = rootCause(error.reason)
      return new UpstreamError({
        dependency,
        reason: "Unavailable",
        message: `${message} (${request.method} ${pathOf(request)})`
      })
    }
    const timedOut = (request: HttpClientRequest.HttpClientRequest, deadline: Duration.Duration) =>
      new UpstreamError({
        dependency,
        reason: "Timeout",
        message: `no answer within ${Duration.format(deadline)} (${request.method} ${pathOf(request)})`
      })

    const withHeaders = (request: HttpClientRequest.HttpClientRequest) =>
      HttpClientRequest.setHeaders(request, options.headers)

    const retrying = <A>(
      attempt: Effect.Effect<A, UpstreamError | RetryableStatus>,
      policy: RetryPolicy
    ): Effect.Effect<A, UpstreamError> =>
      attempt.pipe(
        Effect.retry({
          schedule: backoff,
          while: (e) =>
            policy === "read"
              ? true
              : e instanceof UpstreamError && beforeSending.has(e)
        }),
        Effect.catch((e) => (e instanceof RetryableStatus ? Effect.succeed(e.answer as A) : Effect.fail(e)))
      ) as Effect.Effect<A, UpstreamError>

    const execute = (request: HttpClientRequest.HttpClientRequest) =>
      client.execute(withHeaders(request)).pipe(
        Effect.mapError((error) => {
          const failed = failure(request, error)
          if (connectFailures.has(rootCause(error.reason).code ?? "")) beforeSending.add(failed)
          return failed
        })
      )

    const withDeadline = <A, E>(
      effect: Effect.Effect<A, E>,
      request: HttpClientRequest.HttpClientRequest,
      deadline: Duration.Duration
    ) => Effect.timeoutOrElse(effect, { duration: deadline, orElse: () => Effect.fail(timedOut(request, deadline)) })

    const send: ApiClient["send"] = (request, callOptions) => {
      const deadline = callOptions.timeout ?? options.timeout
      const attempt = Effect.gen(function*() {
        const response = yield* execute(request)
        const body = yield* response.text.pipe(Effect.mapError((error) => failure(request, error)))
        const answer: ApiAnswer = { status: response.status, headers: response.headers, body }
        if (callOptions.retry === "read" && isRetryableStatus(answer.status)) {
          return yield* Effect.fail(new RetryableStatus(answer))
        }
        return answer
      })
      // One deadline for the answer and its body.
      return retrying(withDeadline(attempt, request, deadline), callOptions.retry)
    }

    const open: ApiClient["open"] = (request, callOptions) =>
      retrying(withDeadline(execute(request), request, callOptions.timeout ?? options.timeout), callOptions.retry)

    return { dependency, send, open, url: (path) => `${base}${path}` }
  })

const pathOf = (request: HttpClientRequest.HttpClientRequest) => {
  try {
    return new URL(request.url).pathname
  } catch {
    return request.url
  }
}
