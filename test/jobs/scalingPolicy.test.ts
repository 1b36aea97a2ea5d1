import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { readScalingPolicy } from "../../src/jobs/scalingPolicy.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

const policy = (labels: Record<string, string>, maxReplicas = 1000) => readScalingPolicy(labels, maxReplicas)
const problems = (labels: Record<string, string>, maxReplicas = 1000) => {
  const result = policy(labels, maxReplicas)
  return Result.isFailure(result) ? result.failure : []
}
const l = (name: string) => `com.openfaas.scale.${name}`

describe("scaling labels", () => {
  it("a function is autoscaled when its labels name a type or a target, or set zero=true", () => {
    expect(Result.getOrThrow(policy({}))).toBeUndefined()
    expect(Result.getOrThrow(policy({ [l("min")]: "2", [l("max")]: "5", team: "a" }))).toBeUndefined()
    expect(Result.getOrThrow(policy({ [l("zero")]: "false" }))).toBeUndefined()
    const defaults = { type: "rps", target: 50, targetProportion: 0.9, min: 1, max: 20, zero: false }
    expect(Result.getOrThrow(policy({ [l("type")]: "rps" }))).toEqual({ ...defaults, zeroDurationMillis: 900_000 })
    expect(Result.getOrThrow(policy({ [l("target")]: "5" }))).toMatchObject({ type: "rps", target: 5 })
    expect(Result.getOrThrow(policy({ [l("zero")]: "true" }))).toMatchObject({ zero: true, type: "rps" })
  })

  it("every label sets its part of the policy", () => {
    expect(Result.getOrThrow(policy({
      [l("type")]: "capacity",
      [l("target")]: "2.5",
      [l("target-proportion")]: "0.5",
      [l("min")]: "2",
      [l("max")]: "8",
      [l("zero")]: "true",
      [l("zero-duration")]: "5s"
    }))).toEqual({
      type: "capacity",
      target: 2.5,
      targetProportion: 0.5,
      min: 2,
      max: 8,
      zero: true,
      zeroDurationMillis: 5000
    })
    expect(Result.getOrThrow(policy({ [l("type")]: "cpu", [l("zero-duration")]: "90" }))).toMatchObject({
      type: "cpu",
      zeroDurationMillis: 90_000
    })
  })

  it("min 0 bounds the load's count at 1: only zero=true takes a function to 0", () => {
    expect(Result.getOrThrow(policy({ [l("type")]: "rps", [l("min")]: "0" }))).toMatchObject({ min: 1, max: 20 })
  })

  it("an unset max is 20, or max_replicas when that is lower", () => {
    expect(Result.getOrThrow(policy({ [l("type")]: "rps" }, 8))).toMatchObject({ max: 8 })
  })

  it("max equal to min turns scaling off, unless the function may go to zero", () => {
    expect(Result.getOrThrow(policy({ [l("type")]: "rps", [l("min")]: "3", [l("max")]: "3" }))).toBeUndefined()
    expect(Result.getOrThrow(policy({ [l("zero")]: "true", [l("min")]: "3", [l("max")]: "3" }))).toMatchObject({
      min: 3,
      max: 3,
      zero: true
    })
  })

  it("labels that cannot be read are problems naming the label, all at once", () => {
    expect(problems({
      [l("type")]: "foo",
      [l("target")]: "0",
      [l("target-proportion")]: "2",
      [l("zero")]: "maybe",
      [l("zero-duration")]: "soon"
    })).toEqual([
      `labels: com.openfaas.scale.type must be one of rps, capacity, cpu, got "foo"`,
      `labels: com.openfaas.scale.target must be a number above 0, got "0"`,
      `labels: com.openfaas.scale.target-proportion must be a number above 0 and at most 1, got "2"`,
      `labels: com.openfaas.scale.zero must be true or false, got "maybe"`,
      `labels: com.openfaas.scale.zero-duration must be a duration above zero such as 30s or 15m, got "soon"`
    ])
    expect(problems({ [l("target")]: "-1" })).toEqual([
      `labels: com.openfaas.scale.target must be a number above 0, got "-1"`
    ])
    expect(problems({ [l("target")]: "1e3" })).toHaveLength(1)
    expect(problems({ [l("target-proportion")]: "0", [l("zero-duration")]: "0s" })).toHaveLength(2)
  })

  it("bounds are checked on autoscaled functions: max below min, above max_replicas, or not a number", () => {
    expect(problems({ [l("type")]: "rps", [l("min")]: "5", [l("max")]: "2" })).toEqual([
      "labels: com.openfaas.scale.max (2) must be at least com.openfaas.scale.min (5)"
    ])
    expect(problems({ [l("type")]: "rps", [l("min")]: "30" })).toEqual([
      "labels: com.openfaas.scale.max (20, the default) must be at least com.openfaas.scale.min (30); " +
      "set com.openfaas.scale.max"
    ])
    expect(problems({ [l("type")]: "rps", [l("max")]: "50" }, 10)).toEqual([
      "labels: com.openfaas.scale.max must be at most 10 (max_replicas), got 50"
    ])
    expect(problems({ [l("type")]: "rps", [l("max")]: "lots", [l("min")]: "1.5" })).toEqual([
      `labels: com.openfaas.scale.min must be a whole number, got "1.5"`,
      `labels: com.openfaas.scale.max must be a whole number, got "lots"`
    ])
    expect(problems({ [l("type")]: "rps", [l("max")]: "0", [l("min")]: "0" })).toEqual([
      "labels: com.openfaas.scale.max must be at least 1, got 0"
    ])
  })

  it("functions that are not autoscaled keep today's meaning of min and max: nothing new is refused", () => {
    expect(problems({ [l("min")]: "30" })).toEqual([])
    expect(problems({ [l("min")]: "5", [l("max")]: "2" })).toEqual([])
    expect(problems({ [l("max")]: "5000" }, 10)).toEqual([])
  })

  it("toNomadJob refuses bad scaling labels with the other label problems", () => {
    const deployment = Schema.decodeUnknownSync(FunctionDeployment)({
      service: "scaled",
      image: "x:1",
      labels: { [l("type")]: "foo", "com.openfaas.max_inflight": "none" }
    })
    const result = toNomadJob(deployment, { namespace: "default", count: 1, createdAt: "now" }, defaultJobSettings)
    expect(Result.isFailure(result) ? result.failure : []).toEqual([
      `labels: com.openfaas.max_inflight must be a whole number above 0, got "none"`,
      `labels: com.openfaas.scale.type must be one of rps, capacity, cpu, got "foo"`
    ])
  })
})
