/** What the README shows: an Effect app mounts the provider's routes next to its own, in one router. */
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"
import {
  DevCluster,
  EchoRunner,
  MemoryCluster,
  ProviderConfig,
  ProviderRoutes,
  ProviderServices
} from "../../src/index.ts"
import { call, json } from "../support/http.ts"

const Provider = ProviderRoutes.pipe(
  Layer.provide(ProviderServices),
  Layer.provideMerge(DevCluster(EchoRunner.layer)),
  Layer.provideMerge(ProviderConfig.layerFromEnv({ job_prefix: "Embedded-" }))
)

const MyRoutes = HttpRouter.add("GET", "/my/hello", HttpServerResponse.text("hello from the host app"))

const App = HttpRouter.serve(Layer.mergeAll(Provider, MyRoutes), { disableLogger: true }).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
)

const TestLayer = HttpServer.layerTestClient.pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.provideMerge(App))

describe("embedding the provider in an Effect app", () => {
  it.live("the host's routes and the provider's API and proxy answer from one server", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("GET", "/my/hello")).text, "hello from the host app")
      assert.strictEqual(json(yield* call("GET", "/system/info")).provider, "faas-nomad")
      assert.strictEqual((yield* call("POST", "/system/functions", { service: "inside", image: "x:1" })).status, 202)
      yield* Effect.flatMap(Effect.service(MemoryCluster), (c) => c.settled)
      const [job] = yield* Effect.flatMap(Effect.service(MemoryCluster), (c) => c.listJobs("default", "Embedded-"))
      assert.strictEqual(job?.ID, "Embedded-inside")
      const invoked = yield* call("POST", "/function/inside/path?q=1", "through the host's router")
      assert.strictEqual(invoked.status, 200)
      assert.deepStrictEqual([json(invoked).url, json(invoked).body], ["/path?q=1", "through the host's router"])
    }).pipe(Effect.provide(TestLayer)))
})
