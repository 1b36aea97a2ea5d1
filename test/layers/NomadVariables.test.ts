import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, type Scope } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import { NomadVariables } from "../../src/layers/nomad/NomadVariables.ts"
import { manualClock, NomadSimulator as Sim, type NomadSimulatorOptions } from "../sim/nomad/NomadSimulator.ts"

/** A fresh simulator on a clock the test moves, and the variables client pointed at it. */
const withVariables = <A, E>(
  body: (
    sim: Effect.Success<ReturnType<typeof Sim.scoped>>,
    clock: ReturnType<typeof manualClock>
  ) => Effect.Effect<A, E, NomadVariables | Scope.Scope>,
  options: NomadSimulatorOptions = {},
  env: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const clock = manualClock()
    const sim = yield* Sim.scoped({ now: clock.now, ...options })
    const layer = NomadVariables.layer.pipe(
      Layer.provide(NomadApiClient.layer),
      Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s", ...env }))
    )
    return yield* body(sim, clock).pipe(Effect.provide(layer))
  })

const lease = { ttl: "10 seconds", lockDelay: "5 seconds" } as const

describe("the Nomad Variables client against the simulator", () => {
  it.live("writes, reads, lists metadata by prefix and deletes; a missing variable is None", () =>
    withVariables(() =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        const written = yield* vars.writeVariable("default", "faas-nomad/autoscaler/load/a", { fn: "12" })
        assert.deepStrictEqual(written.Items, { fn: "12" })
        yield* vars.writeVariable("default", "faas-nomad/autoscaler/load/b", { fn: "3" })
        yield* vars.writeVariable("default", "elsewhere", { x: "1" })
        const read = Option.getOrThrow(yield* vars.readVariable("default", "faas-nomad/autoscaler/load/a"))
        assert.deepStrictEqual(read, written)
        const listed = yield* vars.listVariables("default", "faas-nomad/autoscaler/load/")
        assert.deepStrictEqual(listed.map((v) => v.Path), [
          "faas-nomad/autoscaler/load/a",
          "faas-nomad/autoscaler/load/b"
        ])
        assert.strictEqual(listed[0]?.ModifyIndex, written.ModifyIndex)
        assert.notProperty(listed[0], "Items")
        yield* vars.deleteVariable("default", "faas-nomad/autoscaler/load/a")
        assert.isTrue(Option.isNone(yield* vars.readVariable("default", "faas-nomad/autoscaler/load/a")))
        yield* vars.deleteVariable("default", "faas-nomad/autoscaler/load/a")
      })
    ))

  it.live("check-and-set: a stale or wrong index is VariableConflict with what Nomad holds now", () =>
    withVariables(() =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        const created = yield* vars.writeVariable("default", "snap", { v: "1" }, { cas: 0 })
        const exists = yield* Effect.flip(vars.writeVariable("default", "snap", { v: "2" }, { cas: 0 }))
        assert.strictEqual(exists._tag, "VariableConflict")
        assert.deepStrictEqual(exists._tag === "VariableConflict" ? exists.current : undefined, created)
        const updated = yield* vars.writeVariable("default", "snap", { v: "2" }, { cas: created.ModifyIndex })
        const stale = yield* Effect.flip(vars.deleteVariable("default", "snap", { cas: created.ModifyIndex }))
        assert.strictEqual(stale._tag === "VariableConflict" && stale.current?.ModifyIndex, updated.ModifyIndex)
        const gone = yield* Effect.flip(vars.writeVariable("default", "none", { v: "1" }, { cas: 7 }))
        assert.isTrue(gone._tag === "VariableConflict" && gone.current === undefined)
        yield* vars.deleteVariable("default", "snap", { cas: updated.ModifyIndex })
      })
    ))

  it.live("a lease: acquire, LockHeld for another, writes only with the lock ID, renew, release", () =>
    withVariables(() =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        const held = yield* vars.acquireLock("default", "faas-nomad/autoscaler/leader", {
          ...lease,
          items: { replica: "a" }
        })
        assert.deepStrictEqual(held.Lock, { TTL: "10s", LockDelay: "5s", ID: held.Lock.ID })
        assert.deepStrictEqual(held.Items, { replica: "a" })
        const other = yield* Effect.flip(vars.acquireLock("default", "faas-nomad/autoscaler/leader", lease))
        assert.deepStrictEqual(other._tag === "LockHeld" && [other.namespace, other.path], [
          "default",
          "faas-nomad/autoscaler/leader"
        ])

        const plain = yield* Effect.flip(vars.writeVariable("default", "faas-nomad/autoscaler/leader", { x: "1" }))
        assert.strictEqual(plain._tag, "VariableLocked")
        assert.strictEqual(
          (yield* Effect.flip(vars.deleteVariable("default", "faas-nomad/autoscaler/leader")))._tag,
          "VariableLocked"
        )
        const mine = yield* vars.writeVariable(
          "default",
          "faas-nomad/autoscaler/leader",
          { replica: "a2" },
          { lockId: held.Lock.ID }
        )
        assert.deepStrictEqual(mine.Items, { replica: "a2" })

        const renewed = yield* vars.renewLock("default", "faas-nomad/autoscaler/leader", held.Lock.ID)
        assert.strictEqual(renewed.Lock?.ID, held.Lock.ID)
        const wrong = yield* Effect.flip(vars.renewLock("default", "faas-nomad/autoscaler/leader", "not-mine"))
        assert.deepStrictEqual(
          wrong._tag === "LockLost" && [wrong.lockId, wrong.message],
          ["not-mine", "attempting to modify locked variable"]
        )
        const notHeld = yield* Effect.flip(vars.releaseLock("default", "faas-nomad/autoscaler/leader", "not-mine"))
        assert.isTrue(notHeld._tag === "LockLost" && notHeld.message === "the lock is held under another ID")

        const released = yield* vars.releaseLock("default", "faas-nomad/autoscaler/leader", held.Lock.ID)
        assert.isTrue(released.Lock === undefined || released.Lock === null)
        const again = yield* Effect.flip(vars.releaseLock("default", "faas-nomad/autoscaler/leader", held.Lock.ID))
        assert.isTrue(again._tag === "LockLost" && again.message === "variable doesn't hold a lock")
        const after = yield* Effect.flip(vars.renewLock("default", "faas-nomad/autoscaler/leader", held.Lock.ID))
        assert.isTrue(after._tag === "LockLost" && after.message === "variable doesn't hold a lock")
        // Released, not lost: the next replica takes it at once.
        yield* vars.acquireLock("default", "faas-nomad/autoscaler/leader", lease)
      })
    ))

  it.live("a lease not renewed is lost after twice its TTL, and nobody gets it during the lock delay", () =>
    withVariables((sim, clock) =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        const held = yield* vars.acquireLock("default", "leader", { ...lease, id: "replica-a" })
        assert.strictEqual(held.Lock.ID, "replica-a")
        clock.advance(19_000)
        yield* vars.renewLock("default", "leader", "replica-a")
        clock.advance(20_000)
        const lost = yield* Effect.flip(vars.renewLock("default", "leader", "replica-a"))
        assert.strictEqual(lost._tag, "LockLost")
        assert.strictEqual((yield* Effect.flip(vars.acquireLock("default", "leader", lease)))._tag, "LockHeld")
        clock.advance(5_000)
        const next = yield* vars.acquireLock("default", "leader", { ...lease, id: "replica-b" })
        assert.strictEqual(next.Lock.ID, "replica-b")
        assert.strictEqual(sim.state.variables()[0]?.Lock?.ID, "replica-b")
      })
    ))

  it.live("an acquire under the caller's own ID may be repeated by its holder, e.g. after a lost answer", () =>
    withVariables(() =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        const first = yield* vars.acquireLock("default", "leader", { ...lease, id: "replica-a" })
        const repeated = yield* vars.acquireLock("default", "leader", { ...lease, id: "replica-a" })
        assert.strictEqual(repeated.Lock.ID, first.Lock.ID)
        assert.strictEqual(
          (yield* Effect.flip(vars.acquireLock("default", "leader", { ...lease, id: "replica-b" })))._tag,
          "LockHeld"
        )
      })
    ))

  it.live("a TTL Nomad refuses is BadResponse with Nomad's words; a simulator may allow a shorter one", () =>
    Effect.gen(function*() {
      yield* withVariables(() =>
        Effect.gen(function*() {
          const refused = yield* Effect.flip(
            (yield* NomadVariables).acquireLock("default", "leader", { ttl: "2 seconds", lockDelay: "1 second" })
          )
          assert.isTrue(refused._tag === "UpstreamError" && refused.reason === "BadResponse")
          assert.include(refused.message, "TTL must be between 10 seconds and 24 hours")
        })
      )
      yield* withVariables(
        () =>
          Effect.gen(function*() {
            const held = yield* (yield* NomadVariables).acquireLock("default", "leader", {
              ttl: "2 seconds",
              lockDelay: "250 millis"
            })
            assert.deepStrictEqual([held.Lock.TTL, held.Lock.LockDelay], ["2s", "250ms"])
          }),
        { minLockTtlMs: 1000 }
      )
    }))

  it.live("reads are retried on 5xx; writes and lock operations that reached Nomad are not", () =>
    withVariables((sim) =>
      Effect.gen(function*() {
        const vars = yield* NomadVariables
        sim.server.faults.inject({ kind: "status", status: 500, body: "No cluster leader" }, { match: /GET \/v1\/var/ })
        assert.isTrue(Option.isNone(yield* vars.readVariable("default", "leader")))
        assert.strictEqual(sim.server.count(/GET \/v1\/var\/leader/), 2)
        sim.server.faults.inject({ kind: "status", status: 500, body: "No cluster leader" }, { match: /PUT/ })
        const failed = yield* Effect.flip(vars.acquireLock("default", "leader", lease))
        assert.isTrue(failed._tag === "UpstreamError" && failed.reason === "Unavailable")
        assert.include(failed.message, "No cluster leader")
        assert.strictEqual(sim.server.count(/PUT \/v1\/var\/leader/), 1)
      })
    ))

  it.live("a hung Nomad is a Timeout within api_timeout; a refused token is PermissionDenied", () =>
    withVariables(
      (sim) =>
        Effect.gen(function*() {
          const vars = yield* NomadVariables
          sim.server.faults.inject({ kind: "hang" }, { match: /PUT/ })
          const hung = yield* Effect.flip(vars.renewLock("default", "leader", "a"))
          assert.isTrue(hung._tag === "UpstreamError" && hung.reason === "Timeout")
          const denied = yield* Effect.flip(vars.listVariables("other", "faas-nomad/"))
          assert.isTrue(denied._tag === "UpstreamError" && denied.reason === "PermissionDenied")
          assert.notInclude(JSON.stringify(sim.server.requests.map((r) => r.query.toString())), "app-secret")
        }),
      { acl: { managementToken: "root", tokens: { "app-secret": { namespaces: ["default"], write: true } } } },
      { NOMAD_TOKEN: "app-secret", api_timeout: "200ms" }
    ))
})
