/**
 * A KV v2 mount as a backend: the plugin's path patterns and operations, its field schemas, and the
 * exact response shapes and status codes of `vault-plugin-secrets-kv` (including the full-envelope
 * 404 for deleted and destroyed versions, and the warning 404 for paths a v2 mount does not have).
 */
import {
  type Backend,
  type BackendRequest,
  type BackendResult,
  fail,
  ok,
  raw,
  unsupportedOperation,
  withWarning
} from "./backend.ts"
import { decodeFields, type Schema } from "./fieldSchema.ts"
import { goDurationString, mergePatch, rfc3339Nano } from "./goWire.ts"
import type { KvEngine, KvKey, KvVersion } from "./kvEngine.ts"
import { customMetadataFrom, metadataChange, metadataSchema } from "./kvMetadataFields.ts"
import type { LogicalResponse } from "./vaultReplies.ts"

type KvPath =
  | { readonly endpoint: "config" }
  | { readonly endpoint: "data" | "metadata" | "delete" | "undelete" | "destroy" | "subkeys"; readonly key: string }
  | { readonly endpoint: "invalid" }

/** The plugin's patterns, in its order; `data/` refuses an empty path or a trailing slash. */
const parsePath = (path: string): KvPath => {
  if (path === "config") return { endpoint: "config" }
  const data = /^data\/(.*[^/])$/.exec(path)
  if (data !== null) return { endpoint: "data", key: data[1]! }
  const other = /^(metadata|destroy|subkeys|delete|undelete)\/(.*)$/.exec(path)
  if (other !== null) return { endpoint: other[1] as "metadata", key: other[2]! }
  return { endpoint: "invalid" }
}

const dataSchema: Schema = { path: "string", version: "int", options: "map", data: "map" }
const versionsSchema: Schema = { path: "string", versions: "commaIntSlice" }
const subkeysSchema: Schema = { path: "string", version: "int", depth: "int" }
const configSchema: Schema = { max_versions: "int", cas_required: "bool", delete_version_after: "signedDurationSecond" }

const versionMetadata = (key: KvKey, number: number, version: KvVersion) => ({
  version: number,
  created_time: rfc3339Nano(version.createdTime),
  deletion_time: version.deletionTime === undefined ? "" : rfc3339Nano(version.deletionTime),
  destroyed: version.destroyed,
  custom_metadata: key.customMetadata
})

/** `removeValues`: every leaf (and every empty map, and everything at `depth`) becomes null. */
const subkeys = (data: Record<string, unknown>, depth: number, level = 1): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(data)) {
    const nested = typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
    out[name] = nested && (depth === 0 || level < depth)
      ? subkeys(value as Record<string, unknown>, depth, level + 1)
      : null
  }
  return out
}

/** The invalid-path handler: a raw 404 whose only content is a warning. */
const invalidPath = (request: BackendRequest): BackendResult => {
  if (["metadata", "data", "delete", "undelete", "destroy"].includes(request.path)) {
    return raw(404, { warnings: ["Non-listing operations on the root of a K/V v2 mount are not supported."] })
  }
  const command = { create: "put", update: "put", patch: "patch", read: "get", list: "list", delete: "delete" }[
    request.operation
  ]
  return raw(404, {
    warnings: [
      `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${command}' for this operation.`
    ]
  })
}

export const kvBackend = (engine: KvEngine): Backend => {
  /** A read of a version: not found, the raw 404 with its metadata, or its data. */
  const readVersion = (
    key: KvKey,
    requested: number,
    shape: (data: Record<string, unknown> | undefined) => LogicalResponse["data"]
  ) => {
    const number = requested > 0 ? requested : key.currentVersion
    const version = key.versions.get(number)
    if (version === undefined) return ok(null)
    const metadata = versionMetadata(key, number, version)
    if (engine.isGone(version)) return raw(404, { data: { ...shape(undefined), metadata } })
    return ok({ data: { ...shape(version.data ?? {}), metadata } })
  }

  const writeVersion = (path: string, data: Record<string, unknown>) => {
    const written = engine.addVersion(path, data)
    return ok({ data: versionMetadata(written.key, written.number, written.version) })
  }

  const dataEndpoint = (request: BackendRequest, path: string): BackendResult => {
    const decoded = decodeFields(request.data, dataSchema)
    if (!decoded.ok) return fail(400, decoded.error)
    const values = decoded.fields.values
    const key = engine.keys.get(path)
    const body = values.get("data") as Record<string, unknown> | undefined
    const options = values.get("options") as Record<string, unknown> | undefined
    const result = ((): BackendResult => {
      switch (request.operation) {
        case "read":
          return key === undefined
            ? ok(null)
            : readVersion(key, (values.get("version") as number | undefined) ?? 0, (data) => ({ data: data ?? null }))
        case "create":
        case "update": {
          if (body === undefined) return fail(400, "no data provided")
          const cas = engine.checkAndSet(options, key)
          return cas === undefined ? writeVersion(path, body) : fail(400, cas)
        }
        case "patch": {
          if (body === undefined) return fail(400, "no data provided")
          if (key === undefined) return raw(404, null)
          const cas = engine.checkAndSet(options, key)
          if (cas !== undefined) return fail(400, cas)
          const current = key.versions.get(key.currentVersion)
          if (current === undefined) return raw(404, null)
          if (engine.isGone(current)) return raw(404, { data: versionMetadata(key, key.currentVersion, current) })
          return writeVersion(path, mergePatch(current.data ?? {}, body) as Record<string, unknown>)
        }
        case "delete":
          engine.softDeleteLatest(path)
          return ok(null)
        case "list":
          return unsupportedOperation()
      }
    })()
    return withWarning(result, decoded.fields.warning)
  }

  const metadataEndpoint = (request: BackendRequest, path: string): BackendResult => {
    const decoded = decodeFields(request.data, metadataSchema)
    if (!decoded.ok) return fail(400, decoded.error)
    const key = engine.keys.get(path)
    const result = ((): BackendResult => {
      switch (request.operation) {
        case "read":
          return key === undefined ? ok(null) : ok({ data: metadataData(key) })
        case "list":
          return ok({ data: { keys: engine.list(path) } })
        case "create":
        case "update":
        case "patch": {
          const patch = request.operation === "patch"
          const custom = customMetadataFrom(decoded.fields.values, request.data, patch)
          if (!custom.ok) return fail(400, custom.error)
          if (patch && key === undefined) return raw(404, null)
          const change = metadataChange(decoded.fields.values, custom.value, patch)
          if (change === undefined) return ok(null)
          engine.writeMetadata(path, change)
          const casIgnored = decoded.fields.values.get("cas_required") === false && engine.config.casRequired
          return ok(
            casIgnored
              ? {
                warnings: [
                  "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored."
                ]
              }
              : null
          )
        }
        case "delete":
          engine.deleteMetadata(path)
          return ok(null)
      }
    })()
    return withWarning(result, decoded.fields.warning)
  }

  const versionsEndpoint = (request: BackendRequest, endpoint: "delete" | "undelete" | "destroy", path: string) => {
    if (request.operation !== "update") return unsupportedOperation()
    const decoded = decodeFields(request.data, versionsSchema)
    if (!decoded.ok) return fail(400, decoded.error)
    const numbers = (decoded.fields.values.get("versions") as Array<number> | undefined) ?? []
    if (numbers.length === 0) {
      return fail(400, endpoint === "destroy" ? "no version number provided" : "No version number provided")
    }
    if (endpoint === "delete") engine.deleteVersions(path, numbers)
    else if (endpoint === "undelete") engine.undeleteVersions(path, numbers)
    else engine.destroyVersions(path, numbers)
    return withWarning(ok(null), decoded.fields.warning)
  }

  const subkeysEndpoint = (request: BackendRequest, path: string): BackendResult => {
    if (request.operation !== "read") return unsupportedOperation()
    const decoded = decodeFields(request.data, subkeysSchema)
    if (!decoded.ok) return fail(400, decoded.error)
    const key = engine.keys.get(path)
    const depth = (decoded.fields.values.get("depth") as number | undefined) ?? 0
    const version = (decoded.fields.values.get("version") as number | undefined) ?? 0
    const result = key === undefined
      ? ok(null)
      : readVersion(key, version, (data) => ({ subkeys: data === undefined ? null : subkeys(data, depth) }))
    return withWarning(result, decoded.fields.warning)
  }

  const configEndpoint = (request: BackendRequest): BackendResult => {
    const decoded = decodeFields(request.data, configSchema)
    if (!decoded.ok) return fail(400, decoded.error)
    const values = decoded.fields.values
    if (request.operation === "read") {
      const { maxVersions, casRequired, deleteVersionAfter } = engine.config
      return withWarning(
        ok({
          data: {
            max_versions: maxVersions,
            cas_required: casRequired,
            delete_version_after: goDurationString(deleteVersionAfter)
          }
        }),
        decoded.fields.warning
      )
    }
    if (request.operation !== "update" && request.operation !== "create") return unsupportedOperation()
    if (values.has("max_versions")) engine.config.maxVersions = values.get("max_versions") as number
    if (values.has("cas_required")) engine.config.casRequired = values.get("cas_required") as boolean
    if (values.has("delete_version_after")) {
      const seconds = values.get("delete_version_after") as number
      engine.config.deleteVersionAfter = seconds < 0 ? -1 : seconds
    }
    return withWarning(ok(null), decoded.fields.warning)
  }

  return {
    mountType: "kv",
    exists: (path) => {
      const parsed = parsePath(path)
      return parsed.endpoint === "data" || parsed.endpoint === "metadata" ? engine.keys.has(parsed.key) : undefined
    },
    handle: (request) => {
      const parsed = parsePath(request.path)
      switch (parsed.endpoint) {
        case "config":
          return configEndpoint(request)
        case "data":
          return dataEndpoint(request, parsed.key)
        case "metadata":
          return metadataEndpoint(request, parsed.key)
        case "delete":
        case "undelete":
        case "destroy":
          return versionsEndpoint(request, parsed.endpoint, parsed.key)
        case "subkeys":
          return subkeysEndpoint(request, parsed.key)
        case "invalid":
          return invalidPath(request)
      }
    }
  }
}

/** `pathMetadataRead`. */
const metadataData = (key: KvKey) => ({
  versions: Object.fromEntries(
    [...key.versions].map(([n, v]) => [
      String(n),
      {
        created_time: rfc3339Nano(v.createdTime),
        deletion_time: v.deletionTime === undefined ? "" : rfc3339Nano(v.deletionTime),
        destroyed: v.destroyed
      }
    ])
  ),
  current_version: key.currentVersion,
  oldest_version: key.oldestVersion,
  created_time: rfc3339Nano(key.createdTime),
  updated_time: rfc3339Nano(key.updatedTime),
  max_versions: key.maxVersions,
  cas_required: key.casRequired,
  delete_version_after: goDurationString(key.deleteVersionAfter),
  custom_metadata: key.customMetadata
})
