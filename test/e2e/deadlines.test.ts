/**
 * Deadlines that hold in real time: a slow client is cut within read_timeout + 1 s, and a dependency that accepts
 * connections but never answers costs a request one api_timeout, retries included. The bounds are generous for a
 * loaded machine and still far below what the provider took before (30 s and 4 tries of the deadline).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Clock, Effect, Layer } from "effect"
import { connect } from "node:net"
import { eventually } from "../support/eventually.ts"
import { call, json } from "../support/http.ts"
import { providerPort } from "../support/rawHttp.ts"
import { simulatedDependencies } from "../support/simulatedDependencies.ts"
import { liveApp, settled, testApp } from "../support/testApp.ts"

/** How long `effect` takes, in real milliseconds. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const result = yield* effect
    return { result, millis: (yield* Clock.currentTimeMillis) - started }
  })

/**
 * A client that sends the head of a request declaring a 100-byte body, then 10 bytes, then nothing: resolves with
 * what the server wrote before it closed the connection.
 */
const slowClient = (port: number, path: string) =>
  Effect.promise(() =>
    new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1")
      let answer = ""
      socket.on("data", (chunk) => (answer += chunk.toString("latin1")))
      socket.on("error", () => {})
      socket.on("close", () => resolve(answer))
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`)
      socket.write(`{"service"`)
    })
  )

layer(testApp({ env: { read_timeout: "1s" } }), { excludeTestServices: true })("read_timeout", (it) => {
  it.effect(
    "cuts a slow client within read_timeout + 1 s, on the API and on invocations",
    () =>
      Effect.gen(function*() {
        assert.strictEqual(
          (yield* call("POST", "/system/functions", { service: "slow-reader", image: "x:1" })).status,
          202
        )
        yield* settled
        const port = yield* providerPort
        for (const path of ["/system/functions", "/function/slow-reader/upload"]) {
          const { millis, result } = yield* timed(slowClient(port, path))
          assert.isBelow(millis, 2_500, path)
          assert.match(result, /^HTTP\/1\.1 408 /, path)
        }
      }),
    60_000
  )
})

describe("api_timeout", () => {
  it.live("is the whole budget of a call to a hung dependency, retries included", () =>
    Effect.gen(function*() {
      const { consul, env, nomad, vault } = yield* simulatedDependencies("1s")
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* call("POST", "/system/functions", { service: "cold", image: "x:1" })).status, 202)
        // Listed, not read: reading a function's status would watch it, and the invocation below must start a watch.
        yield* eventually(
          call("GET", "/system/functions"),
          (a) => json<Array<{ name: string; availableReplicas: number }>>(a)[0]?.availableReplicas === 1
        )
        const hung = [
          ["nomad", nomad.server, "/system/functions"],
          ["vault", vault.server, "/system/secrets"],
          ["consul", consul.server, "/function/cold"]
        ] as const
        for (const [name, server, path] of hung) {
          server.faults.inject({ kind: "hang" }, { times: Infinity })
          const { millis, result } = yield* timed(call("GET", path))
          server.faults.clear()
          assert.strictEqual(result.status, 504, `${name}: ${result.text}`)
          assert.match(result.text, new RegExp(`^${name} `), name)
          assert.isBelow(millis, 2_000, `${name} answered after ${millis} ms`)
        }
      }).pipe(Effect.provide(Layer.fresh(liveApp(env))))
    }), 60_000)
})
