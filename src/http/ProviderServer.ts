/**
 * The provider's routes served on Node's HTTP server with the configured
 * port, timeouts and body limit. The request logger is off: it costs two
 * thirds of the throughput, and access logging belongs to telemetry.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { ByteSize, Duration, Effect, Layer } from "effect"
import { HttpIncomingMessage, HttpRouter } from "effect/http"
import { createServer } from "node:http"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { ProviderRoutes } from "./ProviderRoutes.ts"

export const ProviderServer = Layer.unwrap(Effect.map(Effect.service(ProviderConfig), (config) => {
  const readMillis = Duration.toMillis(config.readTimeout)
  return HttpRouter.serve(ProviderRoutes, { disableLogger: true }).pipe(
    Layer.provide(Layer.succeed(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(config.maxBodySize))),
    Layer.provideMerge(NodeHttpServer.layer(
      () => createServer({ requestTimeout: readMillis, headersTimeout: Math.min(readMillis, 60_000) }),
      { port: config.port, host: config.bindAddress, gracefulShutdownTimeout: config.writeTimeout }
    ))
  )
}))
