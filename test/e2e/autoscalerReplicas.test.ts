/**
 * Several `faas-nomad start` processes against the Nomad simulator: exactly
 * one leads the autoscaler (a Nomad Variable lock), the loads they proxied
 * are summed, a crashed leader hands over once Nomad frees its lock, one
 * that shuts down hands over at once, and no scale is lost or made twice.
 * The simulator's lock clock is moved by hand, so no test waits for a TTL;
 * what it waits for is I/O and the processes' own short interval.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { manualClock, NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import type { LoggedRequest } from "../sim/SimServer.ts"
import { fetchAt, type RunningProvider, startCli } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"
import { json } from "../support/http.ts"
import { echoDriver } from "../support/simDriver.ts"

const leads = "autoscaler: this replica decides"
const leaderPath = "/v1/var/faas-nomad/autoscaler/leader"
const acquires = (request: LoggedRequest) =>
  request.method === "PUT" && request.path === leaderPath && request.query.has("lock-acquire")

describe("the autoscaler on several provider replicas", () => {
  it.live(
    "one leader at a time, the sum of the loads decides, and the lease hands over on crash and on shutdown",
    () =>
      Effect.gen(function*() {
        const clock = manualClock(Date.now())
        const driver = echoDriver()
        const nomad = yield* NomadSimulator.scoped({ driver, now: clock.now })
        const start = startCli(["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"], {
          NOMAD_ADDR: nomad.url,
          autoscaler_interval: "200ms",
          autoscaler_scale_down_delay: "1h"
        })
        const first = yield* start
        const second = yield* start
        const leaderOf = (providers: ReadonlyArray<RunningProvider>) =>
          Effect.sync(() => providers.filter((p) => p.output().includes(leads)))
        const [leader] = yield* eventually(leaderOf([first, second]), (l) => l.length === 1)
        const follower = leader === first ? second : first

        const fn = {
          service: "held",
          image: "functions/alpine:latest",
          labels: {
            "com.openfaas.scale.type": "capacity",
            "com.openfaas.scale.target": "1",
            "com.openfaas.scale.target-proportion": "1",
            "com.openfaas.scale.max": "8"
          }
        }
        assert.strictEqual((yield* fetchAt(follower.url, "POST", "/system/functions", fn)).status, 202)
        const count = () =>
          (nomad.state.jobs().find((j) => j["ID"] === "OpenFaaS-held")?.["TaskGroups"] as
            | Array<{ Count: number }>
            | undefined)?.[0]?.Count
        const scales = () => nomad.server.count(/^(POST|PUT) \/v1\/job\/OpenFaaS-held\/scale$/)
        yield* eventually(
          Effect.map(fetchAt(follower.url, "GET", "/system/function/held"), json),
          (s: { availableReplicas: number }) => s.availableReplicas === 1
        )

        // Two invocations held in flight through each replica: 2 + 2 in flight against a target of 1 per replica.
        const held = [first, first, second, second].map((p) => fetch(`${p.url}/function/held/hold`).catch(() => null))
        yield* eventually(Effect.sync(() => driver.held()), (n) => n === 4)
        yield* eventually(Effect.sync(count), (c) => c === 4)
        // The count stays: no scale is made twice, while the leader decides again and again.
        const scaled = scales()
        assert.isAtMost(scaled, 3, "one scale per change of the desire")
        const lists = () => nomad.server.count(/^GET \/v1\/vars$/)
        const listed = lists()
        yield* eventually(Effect.sync(lists), (n) => n >= listed + 5)
        assert.strictEqual(scales(), scaled)
        assert.strictEqual(count(), 4)

        // The leader crashes. Its lock stays Nomad's until twice its TTL (15 s) and its delay have passed.
        yield* Effect.promise(() => leader!.signal("SIGKILL"))
        const asked = nomad.server.requests.filter(acquires).length
        yield* eventually(Effect.sync(() => nomad.server.requests.filter(acquires).length), (n) => n >= asked + 3)
        assert.notInclude(follower.output(), leads, "refused while the lock is still the crashed leader's")
        clock.advance(30_000 + 200 + 1)
        const freed = nomad.server.requests.filter(acquires).length
        yield* eventually(Effect.sync(() => follower.output().includes(leads)), (l) => l)
        assert.isAtMost(nomad.server.requests.filter(acquires).length - freed, 2, "taken within one period of freeing")
        // The new leader takes the count as it is: half the load went with the crashed replica, and the lower
        // desire waits the scale-down delay. Nothing is scaled again.
        const relisted = lists()
        yield* eventually(Effect.sync(lists), (n) => n >= relisted + 5)
        assert.strictEqual(scales(), scaled)
        assert.strictEqual(count(), 4)

        // A replica that shuts down (once its invocations are answered) releases the lease: a third takes over
        // without Nomad's clock moving.
        driver.releaseHeld()
        yield* Effect.promise(() => Promise.all(held))
        const third = yield* start
        yield* Effect.promise(() => follower.terminate())
        assert.include(follower.output(), "autoscaler: lease released")
        yield* eventually(Effect.sync(() => third.output().includes(leads)), (l) => l)
      }),
    60_000
  )
})
