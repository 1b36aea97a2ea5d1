/**
 * The provider's routes served on Node's HTTP server with the configured
 * port, timeouts and body limit. Invocations skip the router: the server
 * hands `/function/*` straight to the invocation proxy, the hot path. The
 * request logger is off: it costs two thirds of the throughput, and access
 * logging belongs to telemetry.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { ByteSize, Duration, Effect, Layer } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServer } from "effect/http"
import { type IncomingMessage, Server, type ServerOptions, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { listenFailure } from "../config/listenFailure.ts"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { answerClientError } from "./clientErrors.ts"
import { ProviderRoutes } from "./ProviderRoutes.ts"
import { InvocationProxy } from "./proxy/InvocationProxy.ts"
import { invocationPrefix } from "./proxy/invocationTarget.ts"
import { UnmatchedRoutes } from "./unmatchedRoutes.ts"

/** A Node server that answers invocations itself and passes every other request on to the Effect router. */
class ProviderHttpServer extends Server {
  private readonly invoke: (request: IncomingMessage, response: ServerResponse) => void

  constructor(
    options: ServerOptions,
    invoke: (request: IncomingMessage, response: ServerResponse) => void,
    onClientError: (error: Error, socket: Socket) => void
  ) {
    super(options)
    this.invoke = invoke
    this.on("clientError", onClientError)
  }

  override emit(event: string | symbol, ...args: Array<any>): boolean {
    if (
      (event === "request" || event === "checkContinue") &&
      (args[0] as IncomingMessage).url?.startsWith(invocationPrefix)
    ) {
      const response = args[1] as ServerResponse
      if (event === "checkContinue") response.writeContinue()
      this.invoke(args[0] as IncomingMessage, response)
      return true
    }
    return super.emit(event as string, ...args)
  }
}

export const ProviderServer = Layer.unwrap(Effect.gen(function*() {
  const config = yield* ProviderConfig
  const proxy = yield* InvocationProxy
  const readMillis = Duration.toMillis(config.readTimeout)
  const options: ServerOptions = {
    requestTimeout: readMillis,
    headersTimeout: Math.min(readMillis, 60_000),
    // Node checks these deadlines every 30 s by default, which let a slow client hold a request 25 s past
    // read_timeout; once a second keeps the cut within read_timeout + 1 s, for the cost of a walk over the
    // open connections.
    connectionsCheckingInterval: Math.min(readMillis, 1_000),
    maxHeaderSize: config.maxHeaderSize
  }
  // Path segments longer than any function name still reach the routes, which say what is wrong.
  return HttpRouter.serve(Layer.mergeAll(ProviderRoutes, UnmatchedRoutes), {
    disableLogger: true,
    // The CLI's start line says where it listens and on which cluster (src/layers/Lifecycle.ts).
    disableListenLog: true,
    routerConfig: { maxParamLength: 1024 }
  }).pipe(
    Layer.provide(Layer.succeed(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(config.maxBodySize))),
    Layer.provideMerge(Layer.mergeAll(
      Layer.effect(
        HttpServer.HttpServer,
        NodeHttpServer.make(
          () =>
            new ProviderHttpServer(
              options,
              proxy.handle,
              answerClientError({
                maxHeaderSize: config.maxHeaderSize,
                readTimeout: Duration.format(config.readTimeout)
              })
            ),
          { port: config.port, host: config.bindAddress, gracefulShutdownTimeout: config.writeTimeout }
        ).pipe(Effect.mapError((error) => listenFailure(error.cause, config.bindAddress, config.port)))
      ),
      NodeHttpServer.layerHttpServices
    ))
  )
})).pipe(Layer.provide(InvocationProxy.layer))
