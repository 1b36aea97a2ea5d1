import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { toFunctionStatus } from "../../src/jobs/toFunctionStatus.ts"
import { jobDefaults, toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { toUpdateStrategy } from "../../src/jobs/updateStrategy.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

const s = 1_000_000_000
const update = (labels: Record<string, string>) => toUpdateStrategy(labels, 10)
const problems = (labels: Record<string, string>) => {
  const result = update(labels)
  return Result.isFailure(result) ? result.failure : []
}
const u = (name: string) => `com.openfaas.nomad.update.${name}`

describe("update strategy labels", () => {
  it("without labels, the job's update block is the documented default", () => {
    expect(Result.getOrThrow(update({ team: "x" }))).toEqual(jobDefaults.update)
    expect(jobDefaults.update).toEqual({
      MaxParallel: 1,
      HealthCheck: "checks",
      MinHealthyTime: 5 * s,
      HealthyDeadline: 120 * s,
      ProgressDeadline: 300 * s,
      AutoRevert: true
    })
  })

  it("every label sets its field, durations as Go durations or whole seconds", () => {
    expect(Result.getOrThrow(update({
      [u("max_parallel")]: "2",
      [u("health_check")]: "task_states",
      [u("min_healthy_time")]: "1m30s",
      [u("healthy_deadline")]: "600",
      [u("progress_deadline")]: "15m",
      [u("canary")]: "1",
      [u("auto_revert")]: "false",
      [u("auto_promote")]: "true",
      [u("stagger")]: "500ms"
    }))).toEqual({
      MaxParallel: 2,
      HealthCheck: "task_states",
      MinHealthyTime: 90 * s,
      HealthyDeadline: 600 * s,
      ProgressDeadline: 900 * s,
      Canary: 1,
      AutoRevert: false,
      AutoPromote: true,
      Stagger: 500_000_000
    })
    expect(Result.getOrThrow(update({ [u("progress_deadline")]: "0", [u("min_healthy_time")]: "0s" }))).toMatchObject({
      ProgressDeadline: 0,
      MinHealthyTime: 0
    })
  })

  it("a bad value is a problem naming the label and showing what was sent", () => {
    expect(problems({
      [u("max_parallel")]: "-1",
      [u("canary")]: "11",
      [u("health_check")]: "http",
      [u("auto_revert")]: "yes",
      [u("healthy_deadline")]: "0s",
      [u("stagger")]: "soon",
      [u("min_healthy_time")]: "5 minutes"
    })).toEqual([
      `labels: ${u("max_parallel")} must be a whole number from 0 to 10, got "-1"`,
      `labels: ${u("canary")} must be a whole number from 0 to 10, got "11"`,
      `labels: ${u("health_check")} must be one of checks, task_states, manual, got "http"`,
      `labels: ${u("auto_revert")} must be true or false, got "yes"`,
      `labels: ${u("healthy_deadline")} must be a duration above zero, such as 10s or 5m, got "0s"`,
      `labels: ${u("stagger")} must be a duration such as 10s or 5m (or whole seconds), got "soon"`,
      `labels: ${u("min_healthy_time")} must be a duration such as 10s or 5m (or whole seconds), got "5 minutes"`
    ])
  })

  it("an unknown update label is a problem, not silently ignored", () => {
    expect(problems({ [u("max-parallel")]: "2" })[0]).toContain(`${u("max-parallel")} is not an update setting`)
  })

  it("checks combinations as Nomad does, naming the labels and the defaults they meet", () => {
    expect(problems({ [u("healthy_deadline")]: "10m" })).toEqual([
      `labels: ${u("healthy_deadline")} (10m) must be less than ${u("progress_deadline")} (5m, the default) ` +
      `(or progress_deadline 0 for none), as Nomad requires`
    ])
    expect(problems({ [u("healthy_deadline")]: "10m", [u("progress_deadline")]: "0" })).toEqual([])
    expect(problems({ [u("min_healthy_time")]: "3m" })).toEqual([
      `labels: ${u("min_healthy_time")} (3m) must be less than ${
        u("healthy_deadline")
      } (2m, the default), as Nomad requires`
    ])
    expect(problems({ [u("auto_promote")]: "true" })).toEqual([
      `labels: ${u("auto_promote")} needs ${u("canary")} above 0, as Nomad requires`
    ])
    expect(problems({ [u("canary")]: "1", [u("max_parallel")]: "0" })[0]).toContain("needs")
  })

  it("labels reach the job's update block and round-trip in the status exactly as sent", () => {
    const labels = { [u("canary")]: " 2", [u("auto_promote")]: "True", [u("healthy_deadline")]: "90s" }
    const deployment = Schema.decodeUnknownSync(FunctionDeployment)({ service: "f", image: "x", labels })
    const job = Result.getOrThrow(
      toNomadJob(deployment, { namespace: "default", count: 3, createdAt: "t" }, defaultJobSettings)
    )
    expect(job.Update).toEqual({ ...jobDefaults.update, Canary: 2, AutoPromote: true, HealthyDeadline: 90 * s })
    const status = toFunctionStatus(job, "f", { availableReplicas: 0, invocationCount: 0 })!
    expect(status.labels).toEqual({ ...labels, faas_function: "f" })
  })

  it("a deployment with bad update labels is refused with every problem", () => {
    const deployment = Schema.decodeUnknownSync(FunctionDeployment)({
      service: "f",
      image: "x",
      labels: { [u("canary")]: "x", [u("health_check")]: "none" }
    })
    const result = toNomadJob(deployment, { namespace: "default", count: 1, createdAt: "t" }, defaultJobSettings)
    expect(Result.isFailure(result) && result.failure.length).toBe(2)
  })
})
