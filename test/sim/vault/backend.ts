/**
 * The contract between the simulator's core and its mounts (KV v2, token, AppRole), modelled on a
 * Vault plugin: a backend gets the request relative to its mount and returns a `logical.Response`,
 * an error, or a raw response; the core turns that into HTTP the way `RespondErrorCommon` does.
 */
import type { Operation } from "./LogicalRequest.ts"
import type { TokenEntry } from "./tokenStore.ts"
import { envelope, errorReply, type LogicalResponse, noContent, rawReply, type VaultReply } from "./vaultReplies.ts"

/** After the existence check an update is a `create` when the resource does not exist yet. */
export type CheckedOperation = Operation | "create"

export interface BackendRequest {
  readonly operation: CheckedOperation
  /** The path relative to the mount. */
  readonly path: string
  readonly data: Readonly<Record<string, unknown>> | undefined
  /** The caller's token; absent only on unauthenticated paths. */
  readonly token: TokenEntry | undefined
}

export type BackendResult =
  | { readonly kind: "response"; readonly response: LogicalResponse | null }
  | { readonly kind: "error"; readonly status: number; readonly message?: string }
  | { readonly kind: "raw"; readonly status: number; readonly response: LogicalResponse | null }

export interface Backend {
  readonly mountType: string
  /** Paths (relative to the mount) that need no token. */
  readonly unauthenticated?: ReadonlyArray<string>
  /** Vault's existence check: `undefined` when the path has none, so an update stays an update. */
  exists(path: string): boolean | undefined
  handle(request: BackendRequest): BackendResult
}

export const ok = (response: LogicalResponse | null): BackendResult => ({ kind: "response", response })
export const fail = (status: number, message?: string): BackendResult =>
  message === undefined ? { kind: "error", status } : { kind: "error", status, message }
export const raw = (status: number, response: LogicalResponse | null): BackendResult => ({
  kind: "raw",
  status,
  response
})

/** Errors that pass through Vault's core arrive wrapped by `go-multierror`. */
const wrapped = (message: string) => `1 error occurred:\n\t* ${message}\n\n`
export const unsupportedPath = (): BackendResult => fail(404, wrapped("unsupported path"))
export const unsupportedOperation = (): BackendResult => fail(405, wrapped("unsupported operation"))

/** The framework's warning about ignored parameters turns even an empty response into one. */
export const withWarning = (result: BackendResult, warning: string | undefined): BackendResult => {
  if (warning === undefined || result.kind !== "response") return result
  const response = result.response ?? {}
  return ok({ ...response, warnings: [...(response.warnings ?? []), warning] })
}

const hasKeys = (response: LogicalResponse): boolean => {
  const data = response.data ?? {}
  if (Object.keys(data).length === 0) return (response.warnings?.length ?? 0) > 0
  const keys = data["keys"]
  if (keys === undefined || keys === null) return true
  return Array.isArray(keys) && keys.length > 0
}

/** `logical.RespondErrorCommon` followed by `respondLogical`. */
export const toReply = (
  requestId: string,
  operation: CheckedOperation,
  result: BackendResult,
  mountType: string
): VaultReply => {
  switch (result.kind) {
    case "error":
      return errorReply(result.status, result.message)
    case "raw":
      return rawReply(requestId, result.status, result.response)
    case "response": {
      const response = result.response
      // Some copies of `RespondErrorCommon` also 404 an empty PATCH answer, but the KV plugin declares
      // 204 for a metadata patch and `vault kv metadata patch` expects one, so only reads 404 here.
      if (operation === "read" && response === null) return errorReply(404)
      if (operation === "list" && (response === null || !hasKeys(response))) return errorReply(404)
      return response === null ? noContent() : envelope(requestId, response, mountType)
    }
  }
}
