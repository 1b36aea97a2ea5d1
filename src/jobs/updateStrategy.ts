/**
 * The job's `update` block, tuned per function with the labels jsiebens's
 * faas-nomad read (`com.openfaas.nomad.update.max_parallel`, ...). Each value
 * is checked as Nomad's `UpdateStrategy.Validate` would, and so is the result
 * of merging them over the provider's defaults, so a bad combination is a
 * 400 naming the labels instead of Nomad's rejection of the whole job.
 */
import { Duration, Result } from "effect"
import * as Value from "../config/values.ts"
import type { UpdateStrategy } from "../nomad/Job.ts"
import { quoted } from "../schema/problemText.ts"

export const updateLabelPrefix = "com.openfaas.nomad.update."

const second = 1_000_000_000

/** Documented defaults: see the README's "How a function becomes a Nomad job". */
export const defaultUpdate = {
  MaxParallel: 1,
  HealthCheck: "checks",
  MinHealthyTime: 5 * second,
  HealthyDeadline: 120 * second,
  ProgressDeadline: 300 * second,
  AutoRevert: true
} as const

/** What Nomad gives a field the job leaves out; only used to check a combination. */
const nomadDefaults = { Stagger: 30 * second, Canary: 0, AutoPromote: false } as const

type Field = keyof typeof defaultUpdate | keyof typeof nomadDefaults

const labelOf = {
  max_parallel: "MaxParallel",
  health_check: "HealthCheck",
  min_healthy_time: "MinHealthyTime",
  healthy_deadline: "HealthyDeadline",
  progress_deadline: "ProgressDeadline",
  canary: "Canary",
  auto_revert: "AutoRevert",
  auto_promote: "AutoPromote",
  stagger: "Stagger"
} as const satisfies Record<string, Field>

type Setting = keyof typeof labelOf
const settingNames = Object.keys(labelOf) as ReadonlyArray<Setting>
const label = (setting: Setting) => `${updateLabelPrefix}${setting}`

const healthChecks = ["checks", "task_states", "manual"]

const wholeNumber = (text: string, max: number): Result.Result<number, string> => {
  const trimmed = text.trim()
  return /^\d+$/.test(trimmed) && Number(trimmed) <= max
    ? Result.succeed(Number(trimmed))
    : Result.fail(`must be a whole number from 0 to ${max}`)
}

const nanos = (text: string): Result.Result<number, string> =>
  Result.match(Value.duration(text), {
    onFailure: () => Result.fail("must be a duration such as 10s or 5m (or whole seconds)"),
    onSuccess: (d) => Result.succeed(Math.round(Duration.toMillis(d) * 1_000_000))
  })

const parse = (
  setting: Setting,
  text: string,
  maxReplicas: number
): Result.Result<number | string | boolean, string> => {
  switch (setting) {
    case "max_parallel":
      return wholeNumber(text, maxReplicas)
    case "canary":
      return wholeNumber(text, maxReplicas)
    case "health_check":
      return healthChecks.includes(text.trim())
        ? Result.succeed(text.trim())
        : Result.fail(`must be one of ${healthChecks.join(", ")}`)
    case "auto_revert":
    case "auto_promote":
      return Result.mapError(Value.boolean(text), () => "must be true or false")
    case "min_healthy_time":
    case "progress_deadline":
      return nanos(text)
    case "healthy_deadline":
    case "stagger":
      return Result.flatMap(
        nanos(text),
        (n) => n > 0 ? Result.succeed(n) : Result.fail("must be a duration above zero, such as 10s or 5m")
      )
  }
}

const formatNanos = (n: number) => Duration.format(Duration.nanos(BigInt(n)))

/**
 * The `update` block for a deployment's labels: the defaults, with what the
 * labels set on top; or every problem, one per label or combination.
 */
export const toUpdateStrategy = (
  labels: Readonly<Record<string, string>> | null | undefined,
  maxReplicas: number
): Result.Result<UpdateStrategy, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const given: Record<string, number | string | boolean> = {}
  const texts: Partial<Record<Field, string>> = {}
  for (const [key, text] of Object.entries(labels ?? {})) {
    if (!key.startsWith(updateLabelPrefix)) continue
    const setting = key.slice(updateLabelPrefix.length) as Setting
    if (!settingNames.includes(setting)) {
      problems.push(`labels: ${key} is not an update setting; expected one of ${settingNames.map(label).join(", ")}`)
      continue
    }
    const parsed = parse(setting, text, maxReplicas)
    if (Result.isFailure(parsed)) problems.push(`labels: ${key} ${parsed.failure}, got ${quoted(text)}`)
    else {
      given[labelOf[setting]] = parsed.success
      texts[labelOf[setting]] = text.trim()
    }
  }
  if (problems.length > 0) return Result.fail(problems)

  const merged = { ...defaultUpdate, ...nomadDefaults, ...given } as {
    readonly [K in Field]: K extends "HealthCheck" ? string : K extends `Auto${string}` ? boolean : number
  }
  /** A field's value for a message: as the label gave it, or the default. */
  const shown = (field: Field, setting: Setting) => {
    const text = texts[field]
    if (text !== undefined) return `${label(setting)} (${text})`
    const value = merged[field]
    return `${label(setting)} (${typeof value === "number" ? formatNanos(value) : String(value)}, the default)`
  }
  if (merged.MinHealthyTime >= merged.HealthyDeadline) {
    problems.push(
      `labels: ${shown("MinHealthyTime", "min_healthy_time")} must be less than ${
        shown("HealthyDeadline", "healthy_deadline")
      }, as Nomad requires`
    )
  }
  if (merged.ProgressDeadline !== 0 && merged.HealthyDeadline >= merged.ProgressDeadline) {
    problems.push(
      `labels: ${shown("HealthyDeadline", "healthy_deadline")} must be less than ${
        shown("ProgressDeadline", "progress_deadline")
      } (or progress_deadline 0 for none), as Nomad requires`
    )
  }
  if (merged.AutoPromote === true && merged.Canary === 0) {
    problems.push(`labels: ${label("auto_promote")} needs ${label("canary")} above 0, as Nomad requires`)
  }
  if (merged.MaxParallel === 0 && merged.Canary > 0) {
    problems.push(
      `labels: ${label("canary")} needs ${label("max_parallel")} above 0 (0 turns deployments, canaries included, off)`
    )
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed({ ...defaultUpdate, ...given })
}

/** Canaries a function's updates place before replacing its instances. */
export const canaryCount = (update: UpdateStrategy): number => update.Canary ?? 0
