/**
 * faas-nomad itself, the real server and proxy, on the dev cluster whose
 * allocations all point at the benchmark's upstream, with one function
 * `bench` deployed and ready.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { ProviderServer } from "../../src/http/ProviderServer.ts"
import { DevCluster } from "../../src/layers/DevCluster.ts"
import { AllocationRunner } from "../../src/layers/memory/AllocationRunner.ts"
import { ProviderServices } from "../../src/provider/ProviderServices.ts"

const upstreamPort = Number(process.argv[2])
const port = Number(process.argv[3])
const extraEnv = JSON.parse(process.argv[4] ?? "{}") as Record<string, string>

const toUpstream = Layer.succeed(AllocationRunner, {
  run: () => Effect.succeed({ address: "127.0.0.1", port: upstreamPort })
})

const app = ProviderServer.pipe(
  Layer.provide(ProviderServices),
  Layer.provide(DevCluster(toUpstream)),
  Layer.provide(ProviderConfig.layerFromEnv({ port: String(port), bind_address: "127.0.0.1", ...extraEnv }))
)

Layer.launch(app).pipe(NodeRuntime.runMain({ disableErrorReporting: true }))
