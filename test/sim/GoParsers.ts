/**
 * The Go parsers whose strictness clients of the simulators meet:
 * `time.ParseDuration` (Consul's and Nomad's `?wait=30` without a unit is a
 * 400; Vault's duration fields), `strconv.ParseBool` (`?passing`, Nomad's
 * flags, Vault's `?list`), `strconv.ParseUint` (`?index`) and
 * `strconv.Unquote` (filter strings).
 */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000
}

/** Written out, not derived from `unitMs`: `1e-6 / 1000` is not the double `1e-9`. */
const unitSeconds: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  "\u00b5s": 1e-6,
  "\u03bcs": 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600
}

const part = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/

/** `time.ParseDuration`: a sign, then `<number><unit>` parts, or a bare "0". In `scale`'s unit, or undefined when Go would reject the text. */
const parseDuration = (text: string, scale: Readonly<Record<string, number>>): number | undefined => {
  let rest = text
  let sign = 1
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1
    rest = rest.slice(1)
  }
  if (rest === "0") return 0
  if (rest === "") return undefined
  let total = 0
  while (rest !== "") {
    const match = part.exec(rest)
    if (match === null) return undefined
    const [whole, integer = "", fraction, unit = ""] = match
    if (integer === "" && (fraction === undefined || fraction === "")) return undefined
    const perUnit = scale[unit]
    if (perUnit === undefined) return undefined
    total += Number(`${integer === "" ? "0" : integer}.${fraction ?? ""}0`) * perUnit
    rest = rest.slice(whole.length)
  }
  return sign * total
}

/** `time.ParseDuration` in milliseconds, or undefined when Go would reject the text. */
export const parseGoDuration = (text: string): number | undefined => parseDuration(text, unitMs)

/** `time.ParseDuration` in seconds, or undefined when Go would reject the text. */
export const parseGoDurationSeconds = (text: string): number | undefined => parseDuration(text, unitSeconds)

/** The error `time.ParseDuration` gives for a text it rejects: which part it stumbled on, as Go words it. */
const durationError = (orig: string): Error => {
  const quoted = JSON.stringify(orig)
  const invalid = new Error(`time: invalid duration ${quoted}`)
  let rest = orig.startsWith("-") || orig.startsWith("+") ? orig.slice(1) : orig
  if (rest === "") return invalid
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)![0]
    if (number === "" || number === ".") return invalid
    rest = rest.slice(number.length)
    const unit = /^[^\d.]*/.exec(rest)![0]
    if (unit === "") return new Error(`time: missing unit in duration ${quoted}`)
    if (unitMs[unit] === undefined) {
      return new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`)
    }
    rest = rest.slice(unit.length)
  }
  return invalid
}

/** `time.ParseDuration` in nanoseconds, or Go's error for a text it rejects. */
export const parseGoDurationNanos = (text: string): number | Error => {
  const ms = parseDuration(text, unitMs)
  return ms === undefined ? durationError(text) : Math.round(ms * 1_000_000)
}

/** Go's `strconv.ParseBool`. */
export const parseGoBool = (text: string): boolean | undefined => {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false
  return undefined
}

/** Go's `strconv.ParseUint(text, 10, 64)`: digits only, no sign, at most 2^64-1. */
export const parseGoUint64 = (text: string): number | undefined =>
  /^\d+$/.test(text) && BigInt(text) <= 18_446_744_073_709_551_615n ? Number(text) : undefined

const simpleEscapes: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "\"": "\""
}

/** Go's `strconv.Unquote` for the inside of a double-quoted literal; undefined when Go rejects it. */
export const goUnquote = (body: string): string | undefined => {
  if (body.includes("\n")) return undefined
  let out = ""
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c !== "\\") {
      out += c
      continue
    }
    const e = body[i + 1] ?? ""
    const simple = simpleEscapes[e]
    if (simple !== undefined) {
      out += simple
      i += 1
      continue
    }
    const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0
    const digits = hexLength > 0 ? body.slice(i + 2, i + 2 + hexLength) : body.slice(i + 1, i + 4)
    const valid = hexLength > 0 ? new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits) : /^[0-7]{3}$/.test(digits)
    if (!valid) return undefined
    const code = parseInt(digits, hexLength > 0 ? 16 : 8)
    if (code > 0x10ffff) return undefined
    out += String.fromCodePoint(code)
    i += hexLength > 0 ? 1 + hexLength : 3
  }
  return out
}
