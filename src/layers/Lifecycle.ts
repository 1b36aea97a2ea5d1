/**
 * The provider's start and stop, in its log: once it listens, one line saying where and on which cluster; when a
 * signal stops it, one line saying so and what happens to the requests under way, written before they are waited
 * for. Built after the server, so its finalizer runs before the server's graceful close; it tells `Serving` that
 * the provider listens.
 */
import { Duration, Effect, Exit, Layer } from "effect"
import { HttpServer } from "effect/http"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { Serving } from "../services/Serving.ts"

/** `cluster` ends the start line (`on the dev cluster ...`); `stopReason` names what stopped it (`SIGTERM`). */
export const Lifecycle = (cluster: string, stopReason: () => string) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const config = yield* ProviderConfig
    yield* Effect.logInfo(`Listening on ${HttpServer.formatAddress(server.address)} ${cluster}`)
    yield* (yield* Serving).markStarted
    yield* Effect.addFinalizer((exit) =>
      Exit.hasInterrupts(exit)
        ? Effect.logInfo(
          `Stopping on ${stopReason()}: no new connections; the requests under way have up to ${
            Duration.format(config.writeTimeout)
          } (write_timeout) to finish`
        )
        : Effect.void
    )
  }))
