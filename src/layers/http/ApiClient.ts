/**
 * The HTTP client Nomad, Consul and Vault are reached through: one keep-alive
 * pool per dependency with its TLS settings, retries with backoff where they
 * are safe, and one deadline over every call, its retries included. Any HTTP status is an answer for
 * the caller to read; only a failure to get one is an `UpstreamError`.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Data, Duration, Effect, Layer, Schedule, Scope } from "effect"
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { readFileSync } from "node:fs"
import { StartupError } from "../../config/StartupError.ts"
import { type Dependency, UpstreamError } from "../../domain/errors.ts"
import { connectFailures } from "../../net/connectFailures.ts"

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
  /** Replaces the client's deadline (the call's whole budget), e.g. for a blocking query that waits on purpose. */
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

/**
 * A try that got no answer: what the caller sees if the tries run out, and whether nothing was sent (the
 * connection failed), the only case a write may try again.
 */
class NoAnswer extends Data.TaggedError("NoAnswer")<{
  readonly error: UpstreamError
  readonly nothingSent: boolean
}> {}

/** An answer worth another try for a read (5xx but 501, 429); it becomes the result if the tries run out. */
class RetryableAnswer extends Data.TaggedError("RetryableAnswer")<{ readonly answer: ApiAnswer }> {}

const isRetryableStatus = (status: number) => status === 429 || (status >= 500 && status !== 501)

/** Whether a failed try may be made again under `policy`: the failure itself says. */
const mayRetry = (policy: RetryPolicy) => (failed: NoAnswer | RetryableAnswer): boolean =>
  policy === "read" || (failed._tag === "NoAnswer" && failed.nothingSent)

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

    const where = (request: HttpClientRequest.HttpClientRequest) => `${request.method} ${pathOf(request)}`

    /** The transport failed: before anything was sent when the connection itself failed. */
    const failed = (request: HttpClientRequest.HttpClientRequest, error: HttpClientError.HttpClientError) => {
      const { code, message } = rootCause(error.reason)
      return new NoAnswer({
        error: new UpstreamError({ dependency, reason: "Unavailable", message: `${message} (${where(request)})` }),
        nothingSent: connectFailures.has(code ?? "")
      })
    }

    const timedOut = (request: HttpClientRequest.HttpClientRequest, deadline: Duration.Duration) =>
      new NoAnswer({
        error: new UpstreamError({
          dependency,
          reason: "Timeout",
          message: `no answer within ${Duration.format(deadline)} (${where(request)})`
        }),
        nothingSent: false
      })

    const execute = (request: HttpClientRequest.HttpClientRequest) =>
      client.execute(HttpClientRequest.setHeaders(request, options.headers)).pipe(
        Effect.mapError((error) => failed(request, error))
      )

    /**
     * Tries, again with backoff while the failure allows it, all within one deadline: the deadline is the whole
     * budget of the call, retries included, so a dependency that accepts connections and never answers costs the
     * caller one deadline, not one per try. Out of time after a try failed, that failure is the answer (it says
     * more than the time that ran out); out of time in the first try, it is a timeout.
     */
    const tries = <A, E extends NoAnswer | RetryableAnswer>(
      attempt: Effect.Effect<A, E>,
      request: HttpClientRequest.HttpClientRequest,
      callOptions: CallOptions
    ) =>
      Effect.suspend(() => {
        const deadline = callOptions.timeout ?? options.timeout
        let last: E | undefined
        return attempt.pipe(
          Effect.tapError((failure) =>
            Effect.sync(() => {
              last = failure
            })
          ),
          Effect.retry({ schedule: backoff, while: mayRetry(callOptions.retry) }),
          Effect.timeoutOrElse({ duration: deadline, orElse: () => Effect.fail(last ?? timedOut(request, deadline)) })
        )
      })

    const send: ApiClient["send"] = (request, callOptions) =>
      tries(
        Effect.gen(function*() {
          const response = yield* execute(request)
          const body = yield* response.text.pipe(Effect.mapError((error) => failed(request, error)))
          const answer: ApiAnswer = { status: response.status, headers: response.headers, body }
          if (callOptions.retry === "read" && isRetryableStatus(answer.status)) {
            return yield* new RetryableAnswer({ answer })
          }
          return answer
        }),
        request,
        callOptions
      ).pipe(
        // One deadline covers the answer and its body.
        Effect.catchTags({
          NoAnswer: (e) => Effect.fail(e.error),
          RetryableAnswer: (e) => Effect.succeed(e.answer)
        })
      )

    const open: ApiClient["open"] = (request, callOptions) =>
      tries(execute(request), request, callOptions).pipe(Effect.catchTag("NoAnswer", (e) => Effect.fail(e.error)))

    return { dependency, send, open, url: (path) => `${base}${path}` }
  })

const pathOf = (request: HttpClientRequest.HttpClientRequest) => {
  try {
    return new URL(request.url).pathname
  } catch {
    return request.url
  }
}
