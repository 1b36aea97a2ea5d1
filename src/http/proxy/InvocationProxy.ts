/**
 * The invocation proxy: `/function/<name>[.<namespace>][/path]` with any
 * method, streamed to a ready instance and back. This is the hot path, so it
 * is plain Node and undici: a known function costs a map lookup, a header
 * copy and one upstream request on a keep-alive pool, with no schema decoding
 * and no fiber; the function's `LoadBalancer` picks the instance. Everything
 * else (a function not watched yet, no ready instance, scaling from zero)
 * takes the slow path: the `Invocations` use case, in Effect.
 *
 * A request is never retried once sent: it may carry a body and the function
 * may not be idempotent. Only a bodiless request whose connection could not
 * be made goes once to another instance, since nothing reached the first.
 */
import { OtelTracer } from "@effect/opentelemetry"
import { Agent, type Dispatcher } from "@effect/platform-node/Undici"
import { Cause, Clock, Context, Duration, Effect, Layer, Option } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import {
  type ApiError,
  InvalidRequest,
  InvocationFailed,
  InvocationTimeout,
  NoReadyInstance,
  PayloadTooLarge,
  TooManyInvocations
} from "../../domain/errors.ts"
import type { FunctionName, NamespaceName } from "../../domain/FunctionName.ts"
import { connectFailures } from "../../net/connectFailures.ts"
import type { ResolverEntry } from "../../provider/EndpointResolver.ts"
import { Invocations } from "../../provider/Invocations.ts"
import type { Endpoint } from "../../services/Discovery.ts"
import { type InvocationRecorder, Metrics } from "../../services/Metrics.ts"
import { describeError, isApiError } from "../errorResponse.ts"
import { BodyTooLarge, declaredTooLarge, limitedBody } from "./bodyLimit.ts"
import { invocationName, invocationNameEnd, upstreamPath } from "./invocationTarget.ts"
import { makeInvocationTracing } from "./invocationTracing.ts"

/**
 * Request headers a proxy must not forward (RFC 9110 §7.6.1), plus `host`, which undici sets for the upstream,
 * and `expect`: Node has already answered `100-continue` to the client, and undici refuses to send it.
 */
const hopByHop = new Set([
  "connection",
  "expect",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host"
])

export class InvocationProxy extends Context.Service<InvocationProxy, {
  /** Answers one invocation on Node's request and response; never throws. */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void
}>()("faas-nomad/InvocationProxy") {
  static readonly layer = Layer.effect(
    InvocationProxy,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const invocations = yield* Invocations
      const metrics = yield* Metrics
      const context = yield* Effect.context<never>()
      // Taken once: the hot path reads it synchronously, with no fiber, and tests drive it with TestClock.
      const clock = yield* Clock.Clock
      const defaultTimeoutMillis = Duration.toMillis(config.writeTimeout)
      const bodyLimit = config.maxInvokeBodySize
      const payloadTooLarge = new PayloadTooLarge({ limitBytes: bodyLimit, setting: "max_invoke_body_size" })
      const agent = new Agent({ keepAliveTimeout: 30_000, connections: null })
      const otel = yield* Effect.serviceOption(OtelTracer.OtelTracer)
      const tracing = Option.isSome(otel) ? makeInvocationTracing(otel.value) : undefined
      yield* Effect.addFinalizer(() => Effect.promise(() => agent.close()))

      const fail = (response: ServerResponse, error: ApiError, closeConnection = false) => {
        if (response.headersSent) return response.destroy()
        const { message, status } = describeError(error)
        response.writeHead(status, {
          "content-type": "text/plain; charset=utf-8",
          "x-openfaas-internal": "proxy",
          // The rest of a body we refused is not read: the connection cannot carry another request.
          ...(closeConnection ? { connection: "close" } : {})
        })
        response.end(`${message}\n`)
      }

      /**
       * Whose series a failed slow path counts in: the function's when it is known to exist (no instance ready),
       * else the one series of unknown functions, so a name in a URL never becomes a label.
       */
      const failureRecorder = (error: ApiError): InvocationRecorder =>
        error._tag === "NoReadyInstance"
          ? metrics.invocations({ name: error.name as FunctionName, namespace: error.namespace as NamespaceName })
          : metrics.unknownFunction

      /** What a name as written in URLs resolves to, with the function's recorder: one map lookup per invocation. */
      interface Route {
        readonly entry: ResolverEntry
        readonly recorder: InvocationRecorder
      }
      const routes = new Map<string, Route>()

      const forward = (
        request: IncomingMessage,
        response: ServerResponse,
        route: Route,
        path: string,
        endpoint: Endpoint,
        firstTry: boolean
      ) => {
        const { entry } = route
        const { balancer } = entry
        const started = performance.now()
        const headers: Record<string, string | Array<string>> = {}
        const incoming = request.headers
        const connection = incoming.connection
        // Headers that `Connection` names are hop-by-hop too; the common values name none.
        const named = connection === undefined || connection === "keep-alive" || connection === "close"
          ? undefined
          : new Set(connection.toLowerCase().split(/\s*,\s*/))
        for (const name in incoming) {
          if (!hopByHop.has(name) && named?.has(name) !== true) headers[name] = incoming[name]!
        }
        // Set after the copy, so `Connection` cannot strip them: the peer is appended to the client's chain, as
        // reverse proxies do, and the client's host is kept when it gave one.
        const peer = request.socket.remoteAddress
        if (peer !== undefined) {
          const chain = headers["x-forwarded-for"]
          headers["x-forwarded-for"] = chain === undefined || chain === "" ? peer : `${chain as string}, ${peer}`
        }
        if (headers["x-forwarded-host"] === undefined && incoming.host !== undefined) {
          headers["x-forwarded-host"] = incoming.host
        }
        const hasBody = incoming["transfer-encoding"] !== undefined ||
          (incoming["content-length"] !== undefined && incoming["content-length"] !== "0")
        const timeout = entry.timeoutMillis ?? defaultTimeoutMillis
        const body = hasBody ? limitedBody(request, bodyLimit) : null
        const spans = tracing?.(request, entry.ref, endpoint, path, headers)
        let status = 0
        balancer.started(started)
        // No abort signal: a client that leaves makes the response unwritable, which ends the exchange;
        // the function's own work would not stop for it anyway.
        agent.stream(
          {
            origin: `http://${endpoint.address}:${endpoint.port}`,
            path,
            method: request.method as Dispatcher.HttpMethod,
            headers,
            body,
            headersTimeout: timeout,
            bodyTimeout: timeout
          },
          ({ headers: upstreamHeaders, statusCode }) => {
            status = statusCode
            for (const name of hopByHopResponse) delete upstreamHeaders[name]
            response.writeHead(statusCode, upstreamHeaders as Record<string, string | Array<string>>)
            return response
          },
          (error) => {
            const ended = performance.now()
            balancer.finished(ended)
            if (error !== null && status === 0) {
              const code = (error as { code?: string }).code ?? ""
              if (error instanceof BodyTooLarge || error.cause instanceof BodyTooLarge) {
                status = 413
                if (!response.destroyed) fail(response, payloadTooLarge, true)
                route.recorder.record(status, ended - started, request.method!)
                spans?.end(status, "body too large")
                return
              }
              if (connectFailures.has(code)) {
                const now = clock.currentTimeMillisUnsafe()
                balancer.suspect(endpoint.id, now)
                const next = !hasBody && firstTry && !response.destroyed ? balancer.pick(now) : undefined
                if (next !== undefined && next.id !== endpoint.id) {
                  spans?.end(0, code)
                  return forward(request, response, route, path, next, false)
                }
              }
              status = code === "UND_ERR_HEADERS_TIMEOUT" ? 504 : 502
              if (!response.destroyed) {
                fail(
                  response,
                  status === 504
                    ? new InvocationTimeout({ ...entry.ref, timeoutMillis: timeout })
                    : new InvocationFailed({ ...entry.ref, message: error.message })
                )
              }
            } else if (error !== null && !response.destroyed) {
              response.destroy(error)
            }
            route.recorder.record(status || 499, ended - started, request.method!)
            spans?.end(status, error === null ? undefined : (error as { code?: string }).code ?? error.message)
          }
        )
      }

      const dispatch = (request: IncomingMessage, response: ServerResponse, route: Route, path: string) => {
        const { entry } = route
        if (declaredTooLarge(request, bodyLimit)) {
          fail(response, payloadTooLarge, true)
          route.recorder.record(413, 0, request.method!)
          return
        }
        if (entry.maxInflight !== undefined && entry.balancer.inflight >= entry.maxInflight) {
          fail(response, new TooManyInvocations({ ...entry.ref, maxInflight: entry.maxInflight }))
          route.recorder.record(429, 0, request.method!)
          return
        }
        // Picking counts as a use: invocations keep the function's watch alive.
        const endpoint = entry.balancer.pick(clock.currentTimeMillisUnsafe())
        if (endpoint === undefined) {
          fail(response, new NoReadyInstance(entry.ref))
          route.recorder.record(503, 0, request.method!)
          return
        }
        forward(request, response, route, path, endpoint, true)
      }

      const handle = (request: IncomingMessage, response: ServerResponse) => {
        const url = originForm(request.url ?? "")
        const end = invocationNameEnd(url)
        if (end === -1) {
          fail(response, new InvalidRequest({ message: "Provide function name in the request path" }))
          metrics.unknownFunction.record(400, 0, request.method!)
          return
        }
        const name = invocationName(url, end)
        const route = routes.get(name)
        if (route !== undefined) {
          if (route.entry.active && route.entry.balancer.endpoints.length > 0) {
            return dispatch(request, response, route, upstreamPath(url, end))
          }
          if (!route.entry.active) routes.delete(name)
        }
        // The slow path: the function is not watched yet, or has no ready instance.
        const started = performance.now()
        Effect.runForkWith(context)(
          invocations.prepare(name).pipe(
            Effect.matchCauseEffect({
              onFailure: (cause) => {
                const failure = Cause.findErrorOption(cause)
                if (Option.isSome(failure) && isApiError(failure.value)) {
                  return Effect.sync(() => {
                    const error = failure.value
                    fail(response, error)
                    failureRecorder(error).record(
                      describeError(error).status,
                      performance.now() - started,
                      request.method!
                    )
                  })
                }
                return Effect.logError("invocation failed unexpectedly", cause).pipe(
                  Effect.andThen(Effect.sync(() => {
                    internalError(response)
                    metrics.unknownFunction.record(500, performance.now() - started, request.method!)
                  }))
                )
              },
              onSuccess: (ready) =>
                Effect.sync(() => {
                  const fresh = route !== undefined && route.entry === ready
                    ? route
                    : { entry: ready, recorder: metrics.invocations(ready.ref) }
                  routes.set(name, fresh)
                  dispatch(request, response, fresh, upstreamPath(url, end))
                })
            })
          )
        )
      }

      return InvocationProxy.of({ handle })
    })
  )
}

/** The path and query of a request target, also when a client sends the absolute form (RFC 9112 §3.2.2). */
const originForm = (target: string): string => {
  if (target.charCodeAt(0) === 47 /* / */) return target
  try {
    const url = new URL(target)
    return `${url.pathname}${url.search}`
  } catch {
    return target
  }
}

const hopByHopResponse = ["connection", "keep-alive", "transfer-encoding", "trailer", "upgrade", "proxy-authenticate"]

const internalError = (response: ServerResponse) => {
  if (response.headersSent) return response.destroy()
  response.writeHead(500, { "content-type": "text/plain; charset=utf-8", "x-openfaas-internal": "proxy" })
  response.end("the provider failed to handle this invocation; see its log\n")
}
