/**
 * An allocation runner that serves each allocation from an in-process HTTP
 * server on a loopback port, answering the watchdog's health path and handing
 * every other request to `handlerFor(spec)`.
 */
import { Effect, Layer } from "effect"
import { createServer, type RequestListener, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { AllocationFailed, AllocationRunner, type AllocationSpec } from "./AllocationRunner.ts"

const listen = (spec: AllocationSpec, handler: RequestListener) =>
  Effect.callback<Server, AllocationFailed>((resume) => {
    const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
      if (request.url === "/_/health") response.writeHead(200, { "content-type": "text/plain" }).end("OK")
      else handler(request, response)
    })
    server.once(
      "error",
      (cause) => resume(Effect.fail(new AllocationFailed({ allocId: spec.allocId, message: cause.message })))
    )
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  })

const close = (server: Server) =>
  Effect.callback<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

export interface LoopbackRunnerOptions {
  /** Awaited before an allocation starts listening: lets a test hold an instance in "starting". */
  readonly beforeStart?: (spec: AllocationSpec) => Promise<void>
  /** Called with each instance's server once it listens. */
  readonly onListening?: (spec: AllocationSpec, server: Server) => void
}

export const layer = (
  handlerFor: (spec: AllocationSpec) => RequestListener,
  options: LoopbackRunnerOptions = {}
): Layer.Layer<AllocationRunner> =>
  Layer.succeed(
    AllocationRunner,
    AllocationRunner.of({
      run: (spec) =>
        Effect.acquireRelease(
          Effect.promise(() => options.beforeStart?.(spec) ?? Promise.resolve()).pipe(
            Effect.andThen(listen(spec, handlerFor(spec))),
            Effect.tap((server) => Effect.sync(() => options.onListening?.(spec, server)))
          ),
          close
        ).pipe(Effect.map((server) => ({ address: "127.0.0.1", port: (server.address() as AddressInfo).port })))
    })
  )
