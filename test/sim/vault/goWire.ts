/**
 * How Go writes and reads the values Vault puts on the wire, so the simulator's bytes match a real
 * server's: `time.RFC3339Nano` timestamps, `time.Duration.String()`, `parseutil.ParseDurationSecond`,
 * and `encoding/json` (map keys sorted, HTML characters escaped).
 */
import { parseGoDurationSeconds } from "../GoParsers.ts"

/** `time.Time.Format(time.RFC3339Nano)` in UTC: trailing zeros of the fraction are dropped. */
export const rfc3339Nano = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === "" ? "Z" : `.${digits}Z`))

/** `time.Duration(seconds * time.Second).String()`, e.g. `0s`, `1m30s`, `3h25m19s`, `-1s`. */
export const goDurationString = (seconds: number): string => {
  if (seconds === 0) return "0s"
  const sign = seconds < 0 ? "-" : ""
  const total = Math.abs(Math.trunc(seconds))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${sign}${h}h${m}m${s}s`
  if (m > 0) return `${sign}${m}m${s}s`
  return `${sign}${s}s`
}

/**
 * `parseutil.ParseDurationSecond`, which every Vault duration field uses: a number of seconds, a
 * string of digits (seconds), a Go duration string, or a number of days with `d`. Whole seconds.
 */
export const parseDurationSecond = (raw: unknown): number | undefined => {
  if (typeof raw === "number") return Number.isFinite(raw) ? Math.trunc(raw) : undefined
  if (typeof raw !== "string") return undefined
  if (raw === "") return 0
  if (/^[+-]?\d+$/.test(raw)) return Number(raw)
  const days = /^([+-]?\d+)d$/.exec(raw)
  if (days !== null) return Number(days[1]) * 86_400
  const parsed = parseGoDurationSeconds(raw)
  return parsed === undefined ? undefined : Math.trunc(parsed)
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Go marshals every `map[string]interface{}` with its keys sorted, at any depth. */
export const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (!isPlainObject(value)) return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys(value[key])
  return sorted
}

/** `json.Marshal`: like `JSON.stringify`, but `<`, `>`, `&`, U+2028 and U+2029 are escaped. */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** JSON merge patch (RFC 7386), as Vault applies it for PATCH: `null` removes a key. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isPlainObject(patch)) return patch
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}
