/**
 * How a function is autoscaled, read from OpenFaaS's own labels, so that
 * functions written for OpenFaaS keep their meaning here:
 *
 * - `com.openfaas.scale.type`: `rps`, `capacity` or `cpu` (default `rps`)
 * - `com.openfaas.scale.target`: load per replica (default 50)
 * - `com.openfaas.scale.target-proportion`: the fraction of the target at which replicas are added (default 0.90)
 * - `com.openfaas.scale.min` / `.max`: bounds while it has load (default 1 / 20, never above `max_replicas`)
 * - `com.openfaas.scale.zero`, `.zero-duration`: go to 0 after that long without an invocation (default false / 15m)
 *
 * A function is autoscaled when its labels name a type or a target, or set
 * `zero=true`; any other function is left exactly as it is scaled. Every
 * problem is returned at once, each naming its label.
 */
import { Duration, Result } from "effect"
import * as Value from "../config/values.ts"
import { labelKeys } from "./functionLabels.ts"

export const scalingLabels = {
  type: "com.openfaas.scale.type",
  target: "com.openfaas.scale.target",
  targetProportion: "com.openfaas.scale.target-proportion",
  min: labelKeys.scaleMin,
  max: labelKeys.scaleMax,
  zero: "com.openfaas.scale.zero",
  zeroDuration: "com.openfaas.scale.zero-duration"
} as const

export const scaleTypes = ["rps", "capacity", "cpu"] as const
export type ScaleType = typeof scaleTypes[number]

/** OpenFaaS's defaults. */
export const scalingDefaults = {
  type: "rps",
  target: 50,
  targetProportion: 0.9,
  min: 1,
  max: 20,
  zero: false,
  zeroDuration: "15m"
} as const

export interface ScalingPolicy {
  /** What load is: requests per second, invocations in flight, or millicores, each per replica. */
  readonly type: ScaleType
  readonly target: number
  readonly targetProportion: number
  /** Fewest replicas while the function has load: the `min` label, at least 1. */
  readonly min: number
  readonly max: number
  /** Whether the function goes to 0 replicas once idle for `zeroDurationMillis`. */
  readonly zero: boolean
  readonly zeroDurationMillis: number
}

type Labels = Readonly<Record<string, string>> | null | undefined

const decimal = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/
const whole = /^\s*\d+\s*$/

const quoted = (text: string) => JSON.stringify(text)

/**
 * The function's scaling policy: undefined when it is not autoscaled, or when
 * `max` equals `min` without `zero=true` (OpenFaaS's way of turning scaling
 * off); else every problem with the labels. Labels that only autoscaling
 * reads are checked on every function; the bounds only on autoscaled ones,
 * whose `min` and `max` now mean something.
 */
export const readScalingPolicy = (
  labels: Labels,
  maxReplicas: number
): Result.Result<ScalingPolicy | undefined, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const text = (key: string) => labels?.[key]

  const typeText = text(scalingLabels.type)
  let type: ScaleType = scalingDefaults.type
  if (typeText !== undefined) {
    const trimmed = typeText.trim()
    if ((scaleTypes as ReadonlyArray<string>).includes(trimmed)) type = trimmed as ScaleType
    else problems.push(`labels: ${scalingLabels.type} must be one of ${scaleTypes.join(", ")}, got ${quoted(typeText)}`)
  }

  const number = (key: string, fallback: number, accept: (n: number) => boolean, expected: string): number => {
    const given = text(key)
    if (given === undefined) return fallback
    const n = Number(given)
    if (decimal.test(given) && Number.isFinite(n) && accept(n)) return n
    problems.push(`labels: ${key} must be ${expected}, got ${quoted(given)}`)
    return fallback
  }
  const target = number(scalingLabels.target, scalingDefaults.target, (n) => n > 0, "a number above 0")
  const targetProportion = number(
    scalingLabels.targetProportion,
    scalingDefaults.targetProportion,
    (n) => n > 0 && n <= 1,
    "a number above 0 and at most 1"
  )

  const zeroText = text(scalingLabels.zero)
  let zero: boolean = scalingDefaults.zero
  if (zeroText !== undefined) {
    const parsed = Value.boolean(zeroText)
    if (Result.isSuccess(parsed)) zero = parsed.success
    else problems.push(`labels: ${scalingLabels.zero} must be true or false, got ${quoted(zeroText)}`)
  }

  const zeroDurationText = text(scalingLabels.zeroDuration)
  let zeroDurationMillis = 15 * 60_000
  if (zeroDurationText !== undefined) {
    const parsed = Value.duration(zeroDurationText)
    if (Result.isSuccess(parsed) && Duration.toMillis(parsed.success) > 0) {
      zeroDurationMillis = Duration.toMillis(parsed.success)
    } else {
      problems.push(
        `labels: ${scalingLabels.zeroDuration} must be a duration above zero such as 30s or 15m, got ${
          quoted(zeroDurationText)
        }`
      )
    }
  }

  const autoscaled = typeText !== undefined || text(scalingLabels.target) !== undefined || zero
  if (!autoscaled) return problems.length > 0 ? Result.fail(problems) : Result.succeed(undefined)

  const bound = (key: string): number | undefined => {
    const given = text(key)
    if (given === undefined) return undefined
    if (!whole.test(given) || !Number.isSafeInteger(Number(given))) {
      problems.push(`labels: ${key} must be a whole number, got ${quoted(given)}`)
      return undefined
    }
    const n = Number(given)
    if (n > maxReplicas) {
      problems.push(`labels: ${key} must be at most ${maxReplicas} (max_replicas), got ${given.trim()}`)
      return undefined
    }
    return n
  }
  const minGiven = bound(scalingLabels.min)
  const maxGiven = bound(scalingLabels.max)
  const min = Math.max(1, minGiven ?? scalingDefaults.min)
  const max = maxGiven ?? Math.min(scalingDefaults.max, maxReplicas)
  if (maxGiven !== undefined && maxGiven < 1) {
    problems.push(`labels: ${scalingLabels.max} must be at least 1, got ${maxGiven}`)
  } else if (max < min && (maxGiven !== undefined || text(scalingLabels.max) === undefined)) {
    const maxShown = maxGiven === undefined ? `${max}, the default` : String(max)
    problems.push(
      `labels: ${scalingLabels.max} (${maxShown}) must be at least ${scalingLabels.min} (${min})` +
        (maxGiven === undefined ? `; set ${scalingLabels.max}` : "")
    )
  }
  if (problems.length > 0) return Result.fail(problems)
  // max equal to min turns scaling off, as in OpenFaaS; going to zero when idle stays on if asked for.
  if (max === min && !zero) return Result.succeed(undefined)
  return Result.succeed({ type, target, targetProportion, min, max, zero, zeroDurationMillis })
}
