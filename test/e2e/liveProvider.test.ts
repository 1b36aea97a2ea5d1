/**
 * The provider over the live Nomad client, in process, against the Nomad
 * simulator: what a list costs in Nomad requests, and concurrent writes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { call, json } from "../support/http.ts"
import { liveApp } from "../support/testApp.ts"

const nomadOnly = (url: string) => ({
  NOMAD_ADDR: url,
  service_discovery: "nomad",
  secrets_backend: "nomad",
  api_timeout: "5s"
})

describe("the provider over the live Nomad client", () => {
  it.live("a list costs a constant number of Nomad requests however many functions exist", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const functions = 25
        for (let i = 0; i < functions; i++) {
          assert.strictEqual(
            (yield* call("POST", "/system/functions", { service: `fn-${i}`, image: "x:1" })).status,
            202
          )
        }
        const jobReads = () => nomad.server.count(/^GET \/v1\/job\//)
        const lists = () => nomad.server.count(/^GET \/v1\/jobs$/)
        const allocationLists = () => nomad.server.count(/^GET \/v1\/allocations$/)
        const before = { reads: jobReads(), lists: lists(), allocs: allocationLists() }
        const first = json<Array<unknown>>(yield* call("GET", "/system/functions"))
        assert.strictEqual(first.length, functions)
        assert.strictEqual(lists() - before.lists, 1)
        assert.strictEqual(allocationLists() - before.allocs, 1)
        assert.strictEqual(jobReads() - before.reads, functions, "a cold cache reads each job once")
        const warm = { reads: jobReads(), lists: lists(), allocs: allocationLists() }
        for (let i = 0; i < 3; i++) yield* call("GET", "/system/functions")
        assert.strictEqual(jobReads() - warm.reads, 0)
        assert.strictEqual(lists() - warm.lists, 3)
        assert.strictEqual(allocationLists() - warm.allocs, 3)
        yield* call("POST", "/system/scale-function/fn-3", { replicas: 2 })
        const afterScale = jobReads()
        const listed = json<Array<{ name: string; replicas: number }>>(yield* call("GET", "/system/functions"))
        assert.strictEqual(listed.find((f) => f.name === "fn-3")?.replicas, 2)
        assert.strictEqual(jobReads() - afterScale, 1, "only the changed job is read again")
        // The autoscaler's watch of the job list is a request of its own, counted where the autoscaler is tested.
      }).pipe(Effect.provide(Layer.fresh(liveApp({ ...nomadOnly(nomad.url), autoscaler: "off" }))))
    }))

  it.live("concurrent updates and scales of one function all land: no lost update", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        assert.strictEqual(
          (yield* call("POST", "/system/functions", { service: "contended", image: "x:0" })).status,
          202
        )
        const versionOf = () => Number(nomad.state.jobs().find((j) => j["ID"] === "OpenFaaS-contended")?.["Version"])
        const before = versionOf()
        const updates = Array.from(
          { length: 8 },
          (_, i) =>
            call("PUT", "/system/functions", { service: "contended", image: `x:${i + 1}`, envVars: { n: String(i) } })
        )
        const scales = Array.from(
          { length: 8 },
          (_, i) => call("POST", "/system/scale-function/contended", { replicas: i + 1 })
        )
        const answers = yield* Effect.all([...updates, ...scales], { concurrency: "unbounded" })
        assert.deepStrictEqual(answers.map((a) => a.status), answers.map(() => 202))
        assert.strictEqual(versionOf() - before, 16)
        const status = json(yield* call("GET", "/system/function/contended"))
        assert.isTrue(status.replicas >= 1 && status.replicas <= 8)
        assert.strictEqual(status.image, `x:${Number(status.envVars.n) + 1}`, "image and env come from the same update")
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))
})
