/**
 * `/function/{name}[/path]` with any method: finds a ready instance and
 * streams the request to it and its answer back, status and headers
 * untouched, redirects not followed. A request is never retried: it may carry
 * a body and the function may not be idempotent.
 */
import { Context, Duration, Effect, Layer, Schema, Stream } from "effect"
import {
  HttpBody,
  HttpClient,
  HttpClientRequest,
  HttpMethod,
  HttpRouter,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { NodeHttpClient } from "@effect/platform-node"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import {
  FunctionNotFound,
  InvalidRequest,
  InvocationFailed,
  InvocationTimeout,
  NoReadyInstance
} from "../../domain/errors.ts"
import { FunctionName, type FunctionRef, splitQualifiedName } from "../../domain/FunctionName.ts"
import { Functions } from "../../provider/Functions.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { Discovery } from "../../services/Discovery.ts"
import { Metrics } from "../../services/Metrics.ts"
import { errorResponse, isRouteError } from "../errorResponse.ts"
import { endToEndHeaders, upstreamRequestHeaders } from "./forwardedHeaders.ts"
import { parseInvocationTarget } from "./invocationTarget.ts"

/** The HTTP client invocations go through, apart from the ones talking to Nomad, Consul and Vault. */
export class InvocationClient extends Context.Service<InvocationClient, HttpClient.HttpClient>()(
  "faas-nomad/InvocationClient"
) {
  static readonly layer = Layer.effect(InvocationClient, Effect.service(HttpClient.HttpClient)).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
}

const decodeFunctionName = Schema.decodeUnknownOption(FunctionName)

const hasBody = (headers: Readonly<Record<string, string | undefined>>) =>
  headers["transfer-encoding"] !== undefined ||
  (headers["content-length"] !== undefined && headers["content-length"] !== "0")

export const ProxyRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const config = yield* ProviderConfig
  const client = yield* InvocationClient
  const discovery = yield* Discovery
  const functions = yield* Functions
  const namespaces = yield* Namespaces
  const metrics = yield* Metrics
  const timeout = config.writeTimeout
  const timeoutMillis = Duration.toMillis(timeout)
  let turn = 0

  const resolveRef = (qualifiedName: string) => {
    const { name, namespace } = splitQualifiedName(qualifiedName)
    const decoded = decodeFunctionName(name)
    if (decoded._tag === "None") {
      return Effect.fail(
        new InvalidRequest({ message: `function name "${name}" is not a DNS-1123 label` })
      )
    }
    return namespaces.resolve(namespace).pipe(
      Effect.map((ns): FunctionRef => ({ name: decoded.value, namespace: ns })),
      Effect.catchTag("NamespaceNotFound", (e) =>
        Effect.fail(new FunctionNotFound({ name: decoded.value, namespace: e.namespace })))
    )
  }

  const invoke = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const target = parseInvocationTarget(request.url)
    if (target === undefined) {
      return yield* new InvalidRequest({ message: "Provide function name in the request path" })
    }
    const method = request.method
    if (!HttpMethod.isHttpMethod(method)) {
      return HttpServerResponse.text(`method ${method} is not supported\n`, { status: 405 })
    }
    const ref = yield* resolveRef(target.qualifiedName)
    const endpoints = yield* discovery.endpoints(ref)
    if (endpoints.length === 0) {
      return yield* (yield* functions.exists(ref)) ? new NoReadyInstance(ref) : new FunctionNotFound(ref)
    }
    const endpoint = endpoints[turn++ % endpoints.length]!
    const started = performance.now()
    const upstream = HttpClientRequest.make(method)(`http://${endpoint.address}:${endpoint.port}${target.pathAndQuery}`, {
      headers: upstreamRequestHeaders(request.headers, request.remoteAddress._tag === "Some" ? request.remoteAddress.value : undefined),
      body: hasBody(request.headers)
        ? HttpBody.stream(request.stream, request.headers["content-type"])
        : HttpBody.empty
    })
    const response = yield* client.execute(upstream).pipe(
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () => Effect.fail(new InvocationTimeout({ ...ref, timeoutMillis }))
      }),
      Effect.catchTag("HttpClientError", (e) => Effect.fail(new InvocationFailed({ ...ref, message: e.reason.message })))
    )
    metrics.invocation(ref, response.status, performance.now() - started)
    const headers = endToEndHeaders(response.headers)
    delete headers["set-cookie"]
    const length = response.headers["content-length"]
    return HttpServerResponse.stream(
      response.stream.pipe(Stream.catchIf((e) => e.reason._tag === "EmptyBodyError", () => Stream.empty)),
      {
        status: response.status,
        headers,
        cookies: response.cookies,
        ...(length === undefined ? {} : { contentLength: Number(length) })
      }
    )
  })

  const handler = invoke.pipe(
    Effect.catchIf(isRouteError, (e) => Effect.succeed(errorResponse(e, { fromProxy: true })))
  )
  yield* router.add("*", "/function/*", handler)
}))
