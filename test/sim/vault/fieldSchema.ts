/**
 * The request-field decoding of Vault's plugin framework (`sdk/framework/field_data.go`): every
 * field a path declares is converted before the handler runs, a value that does not convert is a
 * 400 `Field validation failed: ...`, and parameters the path does not declare are ignored with a
 * warning on the response.
 */
import { parseGoBool } from "../GoParsers.ts"
import { isPlainObject, parseDurationSecond } from "./goWire.ts"

export type FieldType =
  | "string"
  | "int"
  | "bool"
  | "map"
  | "durationSecond"
  | "signedDurationSecond"
  | "commaIntSlice"

export type Schema = Readonly<Record<string, FieldType>>

export interface Fields {
  /** The converted value of each declared field the request gave. */
  readonly values: ReadonlyMap<string, unknown>
  /** `Endpoint ignored these unrecognized parameters: [...]`, when there were any. */
  readonly warning: string | undefined
}

export type Decoded = { readonly ok: true; readonly fields: Fields } | { readonly ok: false; readonly error: string }

const goValue = (raw: unknown): string =>
  typeof raw === "string" ? raw : Array.isArray(raw) ? `[${raw.map(goValue).join(" ")}]` : JSON.stringify(raw)

/** A bool field: JSON booleans and numbers as well as `strconv.ParseBool`'s strings, and "" as false. */
const parseBool = (raw: unknown): boolean | undefined => {
  if (typeof raw === "boolean") return raw
  if (typeof raw === "number") return raw !== 0
  if (typeof raw !== "string") return undefined
  return raw === "" ? false : parseGoBool(raw)
}

const parseInt64 = (raw: unknown): number | undefined => {
  if (typeof raw === "number") return Number.isFinite(raw) ? Math.trunc(raw) : undefined
  if (typeof raw === "string" && /^[+-]?\d+$/.test(raw)) return Number(raw)
  return undefined
}

/** One field: the converted value, or the reason Go's conversion would give. */
const convert = (type: FieldType, raw: unknown): { value: unknown } | { reason: string } => {
  switch (type) {
    case "string":
      return typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean"
        ? { value: String(raw) }
        : { reason: `'' expected type 'string', got unconvertible type '${typeof raw}'` }
    case "int": {
      const value = parseInt64(raw)
      return value === undefined ? { reason: `cannot parse '${goValue(raw)}' as int` } : { value }
    }
    case "bool": {
      const value = parseBool(raw)
      return value === undefined ? { reason: `cannot parse '${goValue(raw)}' as bool` } : { value }
    }
    case "map":
      return isPlainObject(raw)
        ? { value: raw }
        : { reason: `'' expected a map, got '${Array.isArray(raw) ? "slice" : typeof raw}'` }
    case "durationSecond":
    case "signedDurationSecond": {
      const value = parseDurationSecond(raw)
      if (value === undefined) return { reason: `time: invalid duration "${goValue(raw)}"` }
      if (type === "durationSecond" && value < 0) return { reason: `cannot provide negative value '${goValue(raw)}'` }
      return { value }
    }
    case "commaIntSlice": {
      const items = typeof raw === "string"
        ? raw.split(",").filter((s) => s.trim() !== "")
        : Array.isArray(raw)
        ? raw
        : [raw]
      const ints = items.map((item) => parseInt64(typeof item === "string" ? item.trim() : item))
      return ints.every((n) => n !== undefined) ? { value: ints } : { reason: `cannot parse '${goValue(raw)}' as int` }
    }
  }
}

/** Decodes the request's raw data against a path's schema. */
export const decodeFields = (raw: Readonly<Record<string, unknown>> | undefined, schema: Schema): Decoded => {
  const values = new Map<string, unknown>()
  const ignored: Array<string> = []
  for (const [name, value] of Object.entries(raw ?? {})) {
    const type = schema[name]
    if (type === undefined) {
      ignored.push(name)
      continue
    }
    if (value === null || value === undefined) continue
    const converted = convert(type, value)
    if ("reason" in converted) {
      return {
        ok: false,
        error: `Field validation failed: error converting input ${
          goValue(value)
        } for field "${name}": ${converted.reason}`
      }
    }
    values.set(name, converted.value)
  }
  const warning = ignored.length === 0
    ? undefined
    : `Endpoint ignored these unrecognized parameters: [${ignored.sort().join(" ")}]`
  return { ok: true, fields: { values, warning } }
}
