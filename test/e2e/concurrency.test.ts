/**
 * Many concurrent deploys, updates, scales and deletes, on the same function
 * and on different ones, and secrets created and deleted at once, against the
 * Nomad simulator: the end state is consistent. No lost update, no duplicate
 * job, no secret left behind or missing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { call, json } from "../support/http.ts"
import { liveApp } from "../support/testApp.ts"

const nomadOnly = (url: string) => ({ NOMAD_ADDR: url, service_discovery: "nomad", secrets_backend: "nomad" })

const statuses = <A extends { readonly status: number }>(answers: ReadonlyArray<A>) => {
  const counts: Record<number, number> = {}
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1
  return counts
}

describe("concurrent operations against the Nomad simulator", () => {
  it.live("racing deploys and deletes of one function: exactly one of each wins", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const deploys = yield* Effect.all(
          Array.from({ length: 10 }, () => call("POST", "/system/functions", { service: "racer", image: "x:1" })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(statuses(deploys), { 202: 1, 409: 9 })
        assert.strictEqual(nomad.state.jobs().filter((j) => j["ID"] === "OpenFaaS-racer").length, 1)
        const deletes = yield* Effect.all(
          Array.from({ length: 10 }, () => call("DELETE", "/system/functions", { functionName: "racer" })),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(statuses(deletes)[202], 1, JSON.stringify(statuses(deletes)))
        assert.strictEqual(nomad.state.jobs().filter((j) => j["ID"] === "OpenFaaS-racer").length, 0)
        assert.strictEqual((yield* call("GET", "/system/function/racer")).status, 404)
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))

  it.live("mixed operations on many functions end with each one's last write, and lists agree with Nomad", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const names = Array.from({ length: 12 }, (_, i) => `fn-${i}`)
        const deployed = yield* Effect.all(
          names.map((service) => call("POST", "/system/functions", { service, image: "x:0" })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(statuses(deployed), { 202: 12 })
        // Each function gets an update and a scale at once; every third is deleted at the same time.
        const operations = names.flatMap((service, i) => [
          call("PUT", "/system/functions", { service, image: `x:${i}`, envVars: { version: String(i) } }),
          call("POST", `/system/scale-function/${service}`, { replicas: (i % 3) + 1 }),
          ...(i % 3 === 0 ? [call("DELETE", "/system/functions", { functionName: service })] : [])
        ])
        const answers = yield* Effect.all(operations, { concurrency: "unbounded" })
        for (const answer of answers) assert.include([202, 404], answer.status, answer.text)
        const listed = json<Array<{ name: string; image: string; envVars?: Record<string, string>; replicas: number }>>(
          yield* call("GET", "/system/functions")
        )
        const survivors = names.filter((_, i) => i % 3 !== 0)
        assert.deepStrictEqual(listed.map((f) => f.name).sort(), [...survivors].sort())
        assert.deepStrictEqual(
          nomad.state.jobs().map((j) => j["ID"]).sort(),
          survivors.map((n) => `OpenFaaS-${n}`).sort(),
          "Nomad holds exactly the surviving functions, one job each"
        )
        for (const status of listed) {
          const i = Number(status.name.slice(3))
          assert.strictEqual(status.image, `x:${i}`, `${status.name} kept its update`)
          assert.strictEqual(status.envVars?.["version"], String(i))
          assert.strictEqual(status.replicas, (i % 3) + 1, `${status.name} kept its scale`)
        }
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))

  it.live("secrets created, updated and deleted at once: the store and the list agree, nothing orphaned", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const creates = yield* Effect.all(
          Array.from({ length: 8 }, () => call("POST", "/system/secrets", { name: "shared", value: "v" })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(statuses(creates), { 201: 1, 409: 7 })
        const mixed = yield* Effect.all([
          ...Array.from({ length: 6 }, (_, i) => call("PUT", "/system/secrets", { name: "shared", value: `v${i}` })),
          call("DELETE", "/system/secrets", { name: "shared" }),
          ...Array.from({ length: 6 }, (_, i) => call("POST", "/system/secrets", { name: `own-${i}`, value: "x" }))
        ], { concurrency: "unbounded" })
        for (const answer of mixed) assert.include([200, 201, 404], answer.status, answer.text)
        const listed = json<Array<{ name: string }>>(yield* call("GET", "/system/secrets")).map((s) => s.name).sort()
        // The autoscaler's lease and load snapshots are variables too, under faas-nomad/.
        const stored = nomad.state.variables().filter((v) => v.Path.startsWith("openfaas-secrets/"))
          .map((v) => v.Path.replace("openfaas-secrets/", "")).sort()
        assert.deepStrictEqual(listed, stored)
        assert.deepStrictEqual(listed.filter((n) => n.startsWith("own-")), [
          "own-0",
          "own-1",
          "own-2",
          "own-3",
          "own-4",
          "own-5"
        ])
        assert.notInclude(listed, "shared")
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))
})
