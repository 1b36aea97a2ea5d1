/**
 * The `cpu` type over the live Nomad client and the simulator: the leader
 * reads the allocation stats of the functions that scale on cpu, and only
 * theirs, once per allocation per interval; millicores per replica decide.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NomadSimulator } from "../../sim/nomad/NomadSimulator.ts"

type Simulator = Effect.Success<ReturnType<typeof NomadSimulator.scoped>>
import { eventually } from "../../support/eventually.ts"
import { call } from "../../support/http.ts"
import { echoDriver } from "../../support/simDriver.ts"
import { liveApp } from "../../support/testApp.ts"

const count = (sim: Simulator, jobId: string) =>
  (sim.state.jobs().find((j) => j["ID"] === jobId)?.["TaskGroups"] as Array<{ Count: number }> | undefined)?.[0]
    ?.Count

const running = (sim: Simulator, jobId: string) =>
  sim.state.allocations().filter((a) => a.JobID === jobId && a.DesiredStatus === "run" && a.ClientStatus === "running")

describe("the autoscaler's cpu type", () => {
  it.live("scales on the millicores Nomad's allocation stats report, reading only cpu functions' allocations", () =>
    Effect.gen(function*() {
      const sim = yield* NomadSimulator.scoped({ driver: echoDriver() })
      const env = {
        NOMAD_ADDR: sim.url,
        service_discovery: "nomad",
        secrets_backend: "nomad",
        autoscaler_interval: "100ms",
        autoscaler_scale_down_delay: "1h"
      }
      yield* Effect.gen(function*() {
        const deploy = (service: string, labels: Record<string, string>) =>
          Effect.map(
            call("POST", "/system/functions", { service, image: "functions/alpine:latest", labels }),
            (a) => assert.strictEqual(a.status, 202, a.text)
          )
        yield* deploy("hot", {
          "com.openfaas.scale.type": "cpu",
          "com.openfaas.scale.target": "500",
          "com.openfaas.scale.target-proportion": "1",
          "com.openfaas.scale.max": "5"
        })
        yield* deploy("plain", { "com.openfaas.scale.type": "rps", "com.openfaas.scale.target": "50" })
        const [alloc] = yield* eventually(Effect.sync(() => running(sim, "OpenFaaS-hot")), (a) => a.length === 1)
        // 150 % of a core is 1500 millicores: against 500 per replica, 3 replicas.
        sim.state.setAllocationStats(alloc!.ID, { cpuPercent: 150 })
        yield* eventually(Effect.sync(() => count(sim, "OpenFaaS-hot")), (c) => c === 3)
        const plain = yield* eventually(Effect.sync(() => running(sim, "OpenFaaS-plain")), (a) => a.length === 1)
        assert.strictEqual(sim.server.count(new RegExp(`^GET /v1/client/allocation/${plain[0]!.ID}/stats$`)), 0)
        assert.isAbove(sim.server.count(new RegExp(`^GET /v1/client/allocation/${alloc!.ID}/stats$`)), 0)
        assert.strictEqual(count(sim, "OpenFaaS-plain"), 1)
      }).pipe(Effect.provide(Layer.fresh(liveApp(env))))
    }))
})
