/**
 * The labels and annotations OpenFaaS gives meaning to, read from a
 * deployment. Each reader returns the value or a problem naming the key.
 */
import { Duration, Result } from "effect"
import { duration } from "../config/values.ts"
import { quoted } from "../schema/problemText.ts"

export const labelKeys = {
  function: "faas_function",
  scaleMin: "com.openfaas.scale.min",
  scaleMax: "com.openfaas.scale.max"
} as const

export const annotationKeys = {
  healthPath: "com.openfaas.health.http.path",
  healthInitialDelay: "com.openfaas.health.http.initialDelay"
} as const

export const defaultHealthPath = "/_/health"

type Labels = Readonly<Record<string, string>> | null | undefined

const wholeNumber = (map: Labels, key: string, max: number): Result.Result<number | undefined, string> => {
  const text = map?.[key]
  if (text === undefined) return Result.succeed(undefined)
  if (!/^\s*\d+\s*$/.test(text)) return Result.fail(`labels: ${key} must be a whole number, got ${quoted(text)}`)
  const value = Number(text)
  return value <= max
    ? Result.succeed(value)
    : Result.fail(`labels: ${key} must be at most ${max} (max_replicas), got ${text.trim()}`)
}

/** Instances a new function starts with: `com.openfaas.scale.min` when above 0, else 1; never more than `max`. */
export const initialReplicas = (labels: Labels, max: number): Result.Result<number, string> =>
  Result.map(wholeNumber(labels, labelKeys.scaleMin, max), (min) => min !== undefined && min > 0 ? min : 1)

export const healthPath = (annotations: Labels): Result.Result<string, string> => {
  const path = annotations?.[annotationKeys.healthPath]
  if (path === undefined) return Result.succeed(defaultHealthPath)
  return path.startsWith("/") && !/\s/.test(path)
    ? Result.succeed(path)
    : Result.fail(`annotations: ${annotationKeys.healthPath} must be a path starting with /, got ${quoted(path)}`)
}

export const healthInitialDelay = (annotations: Labels): Result.Result<Duration.Duration | undefined, string> => {
  const text = annotations?.[annotationKeys.healthInitialDelay]
  if (text === undefined) return Result.succeed(undefined)
  return Result.mapError(duration(text), (problem) => `annotations: ${annotationKeys.healthInitialDelay}: ${problem}`)
}
