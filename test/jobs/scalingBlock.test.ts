/**
 * autoscaler=nomad: each autoscaled function's group carries a Scaling block
 * for the Nomad Autoscaler, valid for Nomad's OpenAPI Job schema and
 * accepted by the simulator; other functions, and other modes, carry none.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Result, Schema } from "effect"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { type JobSettings, jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import type { Job } from "../../src/nomad/Job.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { describeContracts } from "../support/contracts.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"
import { nomadSchemaValidator } from "../support/openapi.ts"

const nomadMode: JobSettings = {
  ...defaultJobSettings,
  scaling: { evaluationInterval: "5s", cooldown: "1m" }
}

const build = (labels: Record<string, string>, settings: JobSettings = nomadMode, namespace = "default"): Job =>
  Result.getOrThrow(
    toNomadJob(
      Schema.decodeUnknownSync(FunctionDeployment)({ service: "busy", image: "functions/alpine:latest", labels }),
      { namespace, count: 1, createdAt: "2026-12-06T00:00:00Z" },
      settings
    )
  )

const scalingOf = (job: Job) => (job.TaskGroups?.[0] as { Scaling?: unknown } | undefined)?.Scaling

describe("the Scaling block (autoscaler=nomad)", () => {
  it("rps: a target-value check on the provider's invocation rate per replica, at target × proportion", () => {
    const job = build({
      "com.openfaas.scale.type": "rps",
      "com.openfaas.scale.target": "5",
      "com.openfaas.scale.max": "4"
    })
    expect(scalingOf(job)).toEqual({
      Min: 1,
      Max: 4,
      Enabled: true,
      Type: "horizontal",
      Policy: {
        evaluation_interval: "5s",
        cooldown: "1m",
        check: [{
          "openfaas-rps": [{
            source: "prometheus",
            query: `(sum(rate(faas_nomad_function_invocation_total{function_name="busy",namespace="default"}[1m])) / ` +
              `clamp_min(max(faas_nomad_function_replicas{function_name="busy",namespace="default"}), 1))`,
            strategy: [{ "target-value": [{ target: 4.5 }] }]
          }]
        }]
      }
    })
  })

  it("capacity reads the summed durations (Little's law); cpu reads Nomad's own stats in percent of a core", () => {
    const capacity = scalingOf(build({ "com.openfaas.scale.type": "capacity", "com.openfaas.scale.target": "10" }))
    expect(JSON.stringify(capacity)).toContain(
      `sum(rate(faas_nomad_function_duration_seconds_sum{function_name=\\"busy\\",namespace=\\"default\\"}[1m]))`
    )
    const cpu = scalingOf(build({
      "com.openfaas.scale.type": "cpu",
      "com.openfaas.scale.target": "500",
      "com.openfaas.scale.target-proportion": "0.8"
    }))
    expect((cpu as { Policy: unknown }).Policy).toEqual({
      evaluation_interval: "5s",
      cooldown: "1m",
      check: [{
        "openfaas-cpu": [{ source: "nomad-apm", query: "avg_cpu", strategy: [{ "target-value": [{ target: 40 }] }] }]
      }]
    })
  })

  it("zero: Min is 0, and an invocation within zero-duration keeps the load above 0", () => {
    const scaling = scalingOf(
      build({ "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "5m" }, nomadMode, "team-a")
    ) as {
      Min: number
      Max: number
      Policy: { check: Array<Record<string, Array<{ query: string }>>> }
    }
    assert.strictEqual(scaling.Min, 0)
    assert.strictEqual(scaling.Max, 20)
    const query = scaling.Policy.check[0]!["openfaas-rps"]![0]!.query
    assert.include(
      query,
      `increase(faas_nomad_function_invocation_total{function_name="busy",namespace="team-a"}[300s])`
    )
    assert.match(query, /^clamp_min\(/)
  })

  it("autoscaler=nomad evaluates every autoscaler_interval and cools down for autoscaler_scale_down_delay", () => {
    const from = (env: Record<string, string>) => jobSettingsFrom(Result.getOrThrow(settingsFromEnv(env))).scaling
    expect(from({ autoscaler: "nomad", autoscaler_interval: "2s", autoscaler_scale_down_delay: "90s" })).toEqual({
      evaluationInterval: "2s",
      cooldown: "90s"
    })
    expect(from({ autoscaler: "nomad", autoscaler_interval: "1500ms" })).toEqual({
      evaluationInterval: "1500ms",
      cooldown: "60s"
    })
    assert.isUndefined(from({}))
    assert.isUndefined(from({ autoscaler: "off" }))
  })

  it("no block for a function that is not autoscaled, nor with autoscaler=on or off", () => {
    assert.isUndefined(scalingOf(build({ "com.openfaas.scale.min": "2" })))
    assert.isUndefined(scalingOf(build({ "com.openfaas.scale.target": "5" }, defaultJobSettings)))
  })
})

describeContracts("a job with a Scaling block", () => {
  it.live("validates against Nomad's OpenAPI Job schema and is accepted by the simulator, which keeps it", () =>
    Effect.gen(function*() {
      const validateJob = nomadSchemaValidator("Job")
      const jobs = [
        build({ "com.openfaas.scale.type": "rps", "com.openfaas.scale.target": "5" }),
        build({ "com.openfaas.scale.type": "cpu", "com.openfaas.scale.zero": "true" })
      ]
      for (const job of jobs) assert.isTrue(validateJob(job), JSON.stringify(validateJob.errors, null, 1))
      const sim = yield* NomadSimulator.scoped()
      const layer = NomadHttp.layer.pipe(
        Layer.provide(NomadApiClient.layer),
        Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s" }))
      )
      yield* Effect.gen(function*() {
        const nomad = yield* Nomad
        yield* nomad.registerJob(jobs[0]!, { enforceIndex: 0 })
        const stored = sim.state.jobs().find((j) => j["ID"] === jobs[0]!.ID)!
        const group = (stored["TaskGroups"] as Array<{ Scaling: Record<string, unknown> }>)[0]!
        assert.deepInclude(group.Scaling, { Min: 1, Max: 20, Enabled: true, Type: "horizontal" })
        const read = Option.getOrThrow(yield* nomad.readJob("default", jobs[0]!.ID))
        assert.strictEqual(read.TaskGroups?.[0]?.Count, 1)
      }).pipe(Effect.provide(layer))
    }))
})
