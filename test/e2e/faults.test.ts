/**
 * Each dependency failing every way it can: answering 500, hanging,
 * dropping connections, going down and coming back. The provider answers
 * within its timeouts with a 5xx naming the dependency, keeps serving
 * invocations from what discovery last said, and recovers without a restart.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Fault, SimServer } from "../sim/SimServer.ts"
import { eventually } from "../support/eventually.ts"
import { call, json } from "../support/http.ts"
import { simulatedDependencies } from "../support/simulatedDependencies.ts"
import { liveApp } from "../support/testApp.ts"

const faults: ReadonlyArray<readonly [string, Fault, number]> = [
  ["answering 500", { kind: "status", status: 500, body: "internal error" }, 503],
  ["hanging", { kind: "hang" }, 504],
  ["dropping connections", { kind: "drop" }, 503]
]

/** Applies `fault` to every request until cleared. */
const failing = (server: SimServer, fault: Fault) => server.faults.inject(fault, { times: Infinity })

describe("faults in Nomad, Consul and Vault", () => {
  it.live("each fault of each dependency is a 5xx naming it, and everything recovers", () =>
    Effect.gen(function*() {
      // A hang costs the whole budget; healthy calls, retries included, must fit in it on a loaded machine.
      const { consul, env, nomad, vault } = yield* simulatedDependencies("1s")
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* call("POST", "/system/secrets", { name: "s", value: "v" })).status, 201)
        assert.strictEqual((yield* call("POST", "/system/functions", { service: "steady", image: "x:1" })).status, 202)
        yield* eventually(call("GET", "/function/steady/ping"), (a) => a.status === 200)
        for (let i = 0; i < faults.length; i++) {
          assert.strictEqual(
            (yield* call("POST", "/system/functions", { service: `cold-${i}`, image: "x:1" })).status,
            202
          )
        }

        for (const [index, [how, fault, status]] of faults.entries()) {
          failing(nomad.server, fault)
          const list = yield* call("GET", "/system/functions")
          assert.strictEqual(list.status, status, `nomad ${how}`)
          assert.match(list.text, /^nomad /, `nomad ${how}`)
          assert.strictEqual(
            (yield* call("GET", "/function/steady/ping")).status,
            200,
            `invocations while nomad is ${how}`
          )
          nomad.server.faults.clear()
          assert.strictEqual((yield* call("GET", "/system/functions")).status, 200, `nomad recovered from ${how}`)

          failing(vault.server, fault)
          const secrets = yield* call("GET", "/system/secrets")
          assert.strictEqual(secrets.status, status, `vault ${how}`)
          assert.match(secrets.text, /^vault /, `vault ${how}`)
          const deploy = yield* call("POST", "/system/functions", {
            service: `with-secret-${index}`,
            image: "x:1",
            secrets: ["s"]
          })
          assert.strictEqual(deploy.status, status, `deploy with a secret while vault is ${how}`)
          vault.server.faults.clear()
          assert.strictEqual((yield* call("GET", "/system/secrets")).status, 200, `vault recovered from ${how}`)

          failing(consul.server, fault)
          assert.strictEqual(
            (yield* call("GET", "/function/steady/ping")).status,
            200,
            `cached endpoints while consul is ${how}`
          )
          const listed = json<Array<{ name: string; availableReplicas: number }>>(
            yield* call("GET", "/system/functions")
          )
          assert.strictEqual(
            listed.find((f) => f.name === "steady")?.availableReplicas,
            1,
            `list while consul is ${how}`
          )
          const unseen = yield* call("GET", `/function/cold-${index}`)
          assert.include([503, 504], unseen.status, `a function not watched yet while consul is ${how}`)
          assert.match(unseen.text, /^consul /, `a function not watched yet while consul is ${how}`)
          consul.server.faults.clear()
        }

        for (const sim of [nomad.server, consul.server, vault.server]) yield* Effect.promise(() => sim.down())
        assert.strictEqual(
          (yield* call("GET", "/function/steady/ping")).status,
          200,
          "cached endpoints with everything down"
        )
        const nomadDown = yield* call("GET", "/system/function/steady")
        assert.strictEqual(nomadDown.status, 503)
        assert.include(nomadDown.text, "nomad is unavailable")
        for (const sim of [nomad.server, consul.server, vault.server]) yield* Effect.promise(() => sim.up())
        assert.strictEqual((yield* call("GET", "/system/function/steady")).status, 200)
        assert.strictEqual((yield* call("GET", "/system/secrets")).status, 200)
        assert.strictEqual((yield* call("POST", "/system/functions", { service: "after", image: "x:1" })).status, 202)
        yield* eventually(call("GET", "/function/after/ping"), (a) => a.status === 200)
        assert.strictEqual((yield* call("GET", "/healthz")).status, 200)
      }).pipe(Effect.provide(Layer.fresh(liveApp(env))))
    }))
})
