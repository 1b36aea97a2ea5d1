/**
 * Leadership on a Nomad Variable lock, against the Nomad simulator: one
 * replica leads at a time; a leader that shuts down releases the lease and
 * another takes over at once; a leader whose lock Nomad no longer holds, or
 * that Nomad stops answering, stops deciding, before Nomad could give the
 * lock to another, and does not release what may be another's lock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, type Scope } from "effect"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import * as LeadershipNomad from "../../src/layers/nomad/LeadershipNomad.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import { NomadVariables, type NomadVariablesApi } from "../../src/layers/nomad/NomadVariables.ts"
import { manualClock, NomadSimulator as Sim, type NomadSimulatorOptions } from "../sim/nomad/NomadSimulator.ts"
import type { LoggedRequest } from "../sim/SimServer.ts"
import { eventually } from "../support/eventually.ts"

type Simulator = Effect.Success<ReturnType<typeof Sim.scoped>>

const withNomad = <A, E>(
  options: NomadSimulatorOptions,
  body: (sim: Simulator, vars: NomadVariablesApi) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.gen(function*() {
    const sim = yield* Sim.scoped(options)
    const layer = NomadVariables.layer.pipe(
      Layer.provide(NomadApiClient.layer),
      Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s" }))
    )
    return yield* Effect.flatMap(Effect.service(NomadVariables), (vars) => body(sim, vars)).pipe(
      Effect.provide(layer)
    )
  })

const lockOperation = (operation: string) => (request: LoggedRequest) =>
  request.method === "PUT" && request.path === `/v1/var/${LeadershipNomad.leaderPath}` && request.query.has(operation)

/** A replica whose term is recorded in `events` as "<id> up" and "<id> down". */
const replica = (vars: NomadVariablesApi, id: string, events: Array<string>, ttl: Duration.Duration) =>
  LeadershipNomad.make(vars, { namespace: "default", replicaId: id, ttl, period: Duration.millis(40) }).whileLeader(
    Effect.gen(function*() {
      events.push(`${id} up`)
      yield* Effect.addFinalizer(() => Effect.sync(() => events.push(`${id} down`)))
      yield* Effect.never
    })
  ).pipe(Effect.forkChild)

const leading = (events: ReadonlyArray<string>) => {
  const up = new Set<string>()
  for (const event of events) {
    const [id, state] = event.split(" ")
    if (state === "up") up.add(id!)
    else up.delete(id!)
  }
  return [...up]
}

describe("leadership on a Nomad Variable lock", () => {
  it.live("one replica leads at a time; one that shuts down releases the lease and another takes over", () => {
    const clock = manualClock()
    return withNomad({ now: clock.now }, (sim, vars) =>
      Effect.gen(function*() {
        const events: Array<string> = []
        const a = yield* replica(vars, "a", events, Duration.seconds(15))
        yield* eventually(Effect.sync(() => leading(events)), (l) => l.length === 1)
        const b = yield* replica(vars, "b", events, Duration.seconds(15))
        // b asks for the lease again and again, and is refused while a holds it.
        const asked = sim.server.count(/^PUT /)
        yield* eventually(
          Effect.sync(() => sim.server.requests.filter(lockOperation("lock-acquire")).length),
          (n) => n >= 4
        )
        assert.isAbove(sim.server.count(/^PUT /), asked)
        assert.deepStrictEqual(leading(events), ["a"])
        const held = sim.state.variables().find((v) => v.Path === LeadershipNomad.leaderPath)
        assert.strictEqual(held?.Lock?.ID, "a")

        yield* Fiber.interrupt(a)
        assert.strictEqual(sim.server.requests.filter(lockOperation("lock-release")).length, 1)
        yield* eventually(Effect.sync(() => leading(events)), (l) => l.length === 1 && l[0] === "b")
        assert.deepStrictEqual(events, ["a up", "a down", "b up"])
        yield* Fiber.interrupt(b)
      }))
  })

  it.live("a lock Nomad let expire ends the term at once, is not released, and goes to another after its delay", () => {
    const clock = manualClock()
    return withNomad({ now: clock.now }, (sim, vars) =>
      Effect.gen(function*() {
        const events: Array<string> = []
        const a = yield* replica(vars, "a", events, Duration.seconds(15))
        yield* eventually(Effect.sync(() => leading(events)), (l) => l.length === 1)
        const b = yield* replica(vars, "b", events, Duration.seconds(15))
        // Twice the TTL passes on Nomad's clock between two of a's renews (a long pause of its process): Nomad
        // takes the lock back, a's next renew is refused, and it stops deciding at once.
        clock.advance(30_001)
        yield* eventually(Effect.sync(() => events), (e) => e.includes("a down"))
        assert.strictEqual(sim.server.requests.filter(lockOperation("lock-release")).length, 0, "nothing released")
        // The lock delay (one period) keeps it from b until it passes on Nomad's clock.
        assert.deepStrictEqual(leading(events), [])
        clock.advance(1_000)
        yield* eventually(Effect.sync(() => leading(events)), (l) => l.length === 1)
        yield* Fiber.interrupt(a)
        yield* Fiber.interrupt(b)
      }))
  })

  it.live("renews left unanswered for the TTL end the term before Nomad could give the lock to another", () =>
    withNomad({ minLockTtlMs: 100 }, (sim, vars) =>
      Effect.gen(function*() {
        const events: Array<string> = []
        const ttl = Duration.millis(1_000)
        const a = yield* replica(vars, "a", events, ttl)
        yield* eventually(Effect.sync(() => leading(events)), (l) => l.length === 1)
        sim.server.faults.inject({ kind: "hang" }, { match: lockOperation("lock-renew"), times: 1_000 })
        yield* eventually(Effect.sync(() => events), (e) => e.includes("a down"))
        // Nomad keeps the lock twice the TTL: it is still a's when a stops deciding.
        const lock = sim.state.variables().find((v) => v.Path === LeadershipNomad.leaderPath)?.Lock
        assert.strictEqual(lock?.ID, "a")
        yield* Fiber.interrupt(a)
      })))
})
