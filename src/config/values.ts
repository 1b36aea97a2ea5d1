/**
 * Parsers for the value syntaxes settings use. Each returns the parsed value or
 * a sentence saying what was expected; the caller names the setting.
 */
import { Duration, Redacted, Result } from "effect"

export type ValueParser<A> = (raw: string) => Result.Result<A, string>

export const text: ValueParser<string> = (raw) => Result.succeed(raw)

export const secret: ValueParser<Redacted.Redacted<string>> = (raw) => Result.succeed(Redacted.make(raw))

const goDurationUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}
const goDurationPart = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/**
 * A duration as faas-provider reads one: a bare integer means seconds, anything
 * else is a Go duration such as `30s`, `1m30s` or `1.5h`.
 */
export const duration: ValueParser<Duration.Duration> = (raw) => {
  const input = raw.trim()
  const invalid = Result.fail(`expected seconds (e.g. 60) or a duration (e.g. 30s, 1m30s), got ${JSON.stringify(raw)}`)
  // A year is longer than any timeout worth having; more is a typo, and past a double it is Infinity.
  const tooLong = (millis: number) => !Number.isFinite(millis) || millis > 365 * 24 * 3_600_000
  if (/^\d+$/.test(input)) {
    return tooLong(Number(input) * 1000) ? invalid : Result.succeed(Duration.seconds(Number(input)))
  }
  let millis = 0
  goDurationPart.lastIndex = 0
  let matched = 0
  while (goDurationPart.lastIndex < input.length) {
    const start = goDurationPart.lastIndex
    const part = goDurationPart.exec(input)
    if (part === null || part.index !== start) break
    millis += Number(part[1]) * goDurationUnits[part[2]!]!
    matched = goDurationPart.lastIndex
  }
  return input.length > 0 && matched === input.length && !tooLong(millis)
    ? Result.succeed(Duration.millis(millis))
    : invalid
}

/** A duration above zero, as `duration` reads it: for how often something repeats. */
export const positiveDuration: ValueParser<Duration.Duration> = (raw) =>
  Result.flatMap(
    duration(raw),
    (d) =>
      Duration.toMillis(d) > 0
        ? Result.succeed(d)
        : Result.fail(`expected a duration above zero (e.g. 5s, 1m), got ${JSON.stringify(raw)}`)
  )

const trueWords = new Set(["1", "t", "T", "TRUE", "true", "True"])
const falseWords = new Set(["0", "f", "F", "FALSE", "false", "False"])

/** Booleans as Go's `strconv.ParseBool` reads them, so HashiCorp-style values keep working. */
export const boolean: ValueParser<boolean> = (raw) =>
  trueWords.has(raw.trim())
    ? Result.succeed(true)
    : falseWords.has(raw.trim())
    ? Result.succeed(false)
    : Result.fail(`expected true or false, got ${JSON.stringify(raw)}`)

export const port: ValueParser<number> = (raw) => {
  const n = Number(raw.trim())
  return /^\d+$/.test(raw.trim()) && n <= 65535
    ? Result.succeed(n)
    : Result.fail(`expected a TCP port between 0 and 65535, got ${JSON.stringify(raw)}`)
}

export const positiveInteger: ValueParser<number> = (raw) => {
  const n = Number(raw.trim())
  return /^\d+$/.test(raw.trim()) && n > 0 && Number.isSafeInteger(n)
    ? Result.succeed(n)
    : Result.fail(`expected a positive whole number, got ${JSON.stringify(raw)}`)
}

/** Size units: binary (`Ki`, `Mi`) as in Kubernetes quantities, decimal (`K`, `MB`) as everywhere else. */
export const byteUnits: Record<string, number> = {
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3
}

/** A size in bytes, with an optional unit: `1048576`, `512Ki`, `1Mi` (1048576), `10MB` (10000000). */
export const byteSize: ValueParser<number> = (raw) => {
  const match = /^(\d+)\s*([A-Za-z]*)$/.exec(raw.trim())
  const unit = match === null ? undefined : byteUnits[match[2]!]
  return match !== null && unit !== undefined && Number(match[1]) > 0 && Number.isSafeInteger(Number(match[1]) * unit)
    ? Result.succeed(Number(match[1]) * unit)
    : Result.fail(`expected a size such as 1048576, 512Ki or 1Mi, got ${JSON.stringify(raw)}`)
}

export const oneOf = <const L extends string>(choices: ReadonlyArray<L>): ValueParser<L> => (raw) =>
  (choices as ReadonlyArray<string>).includes(raw.trim())
    ? Result.succeed(raw.trim() as L)
    : Result.fail(`expected one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`)

/** `host:port`, as StatsD and similar UDP targets are given. */
export const hostPort: ValueParser<{ readonly host: string; readonly port: number }> = (raw) => {
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(raw.trim())
  const portNumber = match === null ? NaN : Number(match[2])
  return match !== null && portNumber > 0 && portNumber <= 65535
    ? Result.succeed({ host: match[1]!.replace(/^\[|\]$/g, ""), port: portNumber })
    : Result.fail(`expected host:port such as 127.0.0.1:8125, got ${JSON.stringify(raw)}`)
}

/**
 * An HTTP base URL. A bare `host:port` gets the default scheme, as Consul's
 * `CONSUL_HTTP_ADDR` allows.
 */
export const baseUrl = (defaultScheme: "http" | "https"): ValueParser<URL> => (raw) => {
  const input = raw.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `${defaultScheme}://${input}`
  try {
    const url = new URL(withScheme)
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return Result.fail(`expected an http:// or https:// address, got ${JSON.stringify(raw)}`)
    }
    return Result.succeed(url)
  } catch {
    return Result.fail(`expected an address such as http://127.0.0.1:4646, got ${JSON.stringify(raw)}`)
  }
}

/** A comma-separated list; blanks are dropped. */
export const list: ValueParser<ReadonlyArray<string>> = (raw) =>
  Result.succeed(raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0))

/** A number from 0 to 1. */
export const ratio: ValueParser<number> = (raw) => {
  const n = Number(raw.trim())
  return raw.trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 1
    ? Result.succeed(n)
    : Result.fail(`expected a number from 0 to 1, got ${JSON.stringify(raw)}`)
}

/** A size, where 0 means "no limit". */
export const byteSizeOrZero: ValueParser<number> = (raw) => (raw.trim() === "0" ? Result.succeed(0) : byteSize(raw))
