/**
 * The whole provider on an ephemeral loopback port, over the in-memory
 * cluster, with an HttpClient pointed at it and the typed client over that:
 * what route tests run against.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { FaasProviderClient } from "../../src/http/FaasProviderClient.ts"
import { ProviderServer } from "../../src/http/ProviderServer.ts"
import { DevCluster } from "../../src/layers/DevCluster.ts"
import { LiveCluster } from "../../src/layers/LiveCluster.ts"
import type { AllocationRunner } from "../../src/layers/memory/AllocationRunner.ts"
import * as EchoRunner from "../../src/layers/memory/EchoRunner.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import type { MemorySecrets } from "../../src/layers/memory/MemorySecrets.ts"
import { Telemetry } from "../../src/layers/Telemetry.ts"
import { ProviderServices } from "../../src/provider/ProviderServices.ts"

export interface TestAppOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly runner?: Layer.Layer<AllocationRunner, never, MemorySecrets>
}

export const testApp = (options: TestAppOptions = {}) =>
  FaasProviderClient.layer().pipe(
    Layer.provideMerge(HttpServer.layerTestClient),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(ProviderServer),
    Layer.provideMerge(ProviderServices),
    Layer.provideMerge(DevCluster(options.runner ?? EchoRunner.layer)),
    Layer.provideMerge(Telemetry),
    Layer.provideMerge(ProviderConfig.layerFromEnv({ port: "0", bind_address: "127.0.0.1", ...options.env }))
  )

/** Waits until every task start and stop under way in the in-memory cluster has finished. */
export const settled = Effect.flatMap(Effect.service(MemoryCluster), (cluster) => cluster.settled)

/** The whole provider over the live clients (`faas-nomad start`), pointed at simulators by `env`. */
export const liveApp = (env: Readonly<Record<string, string>>) =>
  FaasProviderClient.layer().pipe(
    Layer.provideMerge(HttpServer.layerTestClient),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(ProviderServer),
    Layer.provideMerge(ProviderServices),
    Layer.provideMerge(LiveCluster),
    Layer.provideMerge(Telemetry),
    Layer.provideMerge(ProviderConfig.layerFromEnv({ port: "0", bind_address: "127.0.0.1", ...env }))
  )
