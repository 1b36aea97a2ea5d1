/**
 * The fields of a KV v2 `metadata/:path` write or patch (`path_metadata.go`): `custom_metadata`
 * values are coerced to strings and validated (at most 64 keys, key 1..128 and value 1..512
 * printable characters), and a patch merges instead of replacing, `null` removing a key.
 */
import type { Schema } from "./fieldSchema.ts"
import type { KvKey } from "./kvEngine.ts"

export const metadataSchema: Schema = {
  path: "string",
  cas_required: "bool",
  max_versions: "int",
  delete_version_after: "durationSecond",
  custom_metadata: "map"
}

const prefix = "custom_metadata validation failed"

/** `go-multierror`'s message. */
const multiError = (errors: ReadonlyArray<string>): string =>
  `${errors.length} error${errors.length === 1 ? "" : "s"} occurred:\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`

// oxlint-disable-next-line no-control-regex -- control characters are what it looks for
const printable = (s: string) => !/[\u0000-\u001f\u007f]/.test(s)

/** `validateCustomMetadata`. */
const validate = (entries: ReadonlyArray<readonly [string, string]>): string | undefined => {
  if (entries.length > 64) {
    return multiError([`${prefix}: payload must contain at most 64 keys, provided ${entries.length}`])
  }
  const errors: Array<string> = []
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128) {
      errors.push(`${prefix}: length of key "${key}" is ${key.length} but must be 0 < len(key) <= 128`)
    }
    if (value.length === 0 || value.length > 512) {
      errors.push(`${prefix}: length of value for key "${key}" is ${value.length} but must be 0 < len(value) <= 512`)
    }
    if (!printable(key)) errors.push(`${prefix}: key "${key}" (${key}) contains unprintable characters`)
    if (!printable(value)) errors.push(`${prefix}: value for key "${key}" contains unprintable characters`)
  }
  return errors.length === 0 ? undefined : multiError(errors)
}

/** `mapstructure.WeakDecode` into a string. */
const weakString = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number"
    ? String(value)
    : typeof value === "boolean"
    ? (value ? "1" : "0")
    : undefined

/**
 * The requested `custom_metadata`: `undefined` when not given, `null` when a patch removes it all,
 * else the map (a patch keeps `null` values, which remove keys).
 */
export const customMetadataFrom = (
  values: ReadonlyMap<string, unknown>,
  rawData: Readonly<Record<string, unknown>> | undefined,
  patch: boolean
): { ok: true; value: Record<string, string | null> | null | undefined } | { ok: false; error: string } => {
  const given = values.get("custom_metadata") as Record<string, unknown> | undefined
  if (given === undefined) {
    return { ok: true, value: patch && rawData?.["custom_metadata"] === null ? null : undefined }
  }
  const result: Record<string, string | null> = {}
  const checked: Array<readonly [string, string]> = []
  for (const [key, value] of Object.entries(given)) {
    if (patch && value === null) {
      result[key] = null
      continue
    }
    const text = weakString(value)
    if (text === undefined) {
      return {
        ok: false,
        error: `${prefix}: '${key}' expected type 'string', got unconvertible type '${typeof value}'`
      }
    }
    result[key] = text
    checked.push([key, text])
  }
  const invalid = validate(checked)
  return invalid === undefined ? { ok: true, value: result } : { ok: false, error: invalid }
}

/** Protobuf drops an empty map, so an emptied `custom_metadata` reads back as `null`. */
const orNull = (
  map: Record<string, string>
): Record<string, string> | null => (Object.keys(map).length === 0 ? null : map)

/** How a write or patch changes the key, or `undefined` when it names no field (Vault's fast path). */
export const metadataChange = (
  values: ReadonlyMap<string, unknown>,
  custom: Record<string, string | null> | null | undefined,
  patch: boolean
): ((key: KvKey) => void) | undefined => {
  const touched = ["max_versions", "cas_required", "delete_version_after"].some((f) => values.has(f)) ||
    custom !== undefined
  if (!touched) return undefined
  return (key) => {
    if (values.has("max_versions")) key.maxVersions = values.get("max_versions") as number
    if (values.has("cas_required")) key.casRequired = values.get("cas_required") as boolean
    if (values.has("delete_version_after")) key.deleteVersionAfter = values.get("delete_version_after") as number
    if (custom === undefined) return
    if (custom === null) {
      key.customMetadata = null
      return
    }
    const merged: Record<string, string> = patch ? { ...key.customMetadata } : {}
    for (const [name, value] of Object.entries(custom)) {
      if (value === null) delete merged[name]
      else merged[name] = value
    }
    key.customMetadata = orNull(merged)
  }
}
