/**
 * What Vault's HTTP layer writes for each kind of outcome (`http/handler.go`, `http/logical.go`,
 * `sdk/logical/response_util.go`): the full envelope with a trailing newline, 204 without a body,
 * `{"errors":[...]}`, and the raw responses plugins build with `RespondWithStatusCode`.
 */
import { goJson, sortedKeys } from "./goWire.ts"

export interface VaultReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The `auth` block (`logical.HTTPAuth`), in Go's field order. */
export interface HttpAuth {
  readonly client_token: string
  readonly accessor: string
  readonly policies: ReadonlyArray<string>
  readonly token_policies?: ReadonlyArray<string>
  readonly identity_policies?: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, string>> | null
  readonly lease_duration: number
  readonly renewable: boolean
  readonly entity_id: string
  readonly token_type: string
  readonly orphan: boolean
  readonly mfa_requirement: null
  readonly num_uses: number
}

/** What a backend hands back: Vault's `logical.Response`, reduced to what this simulator uses. */
export interface LogicalResponse {
  readonly data?: Readonly<Record<string, unknown>> | null
  readonly warnings?: ReadonlyArray<string>
  readonly auth?: HttpAuth
}

const json = "application/json"
const base = { "cache-control": "no-store" } as const

/** `logical.HTTPResponse` in Go's field order; `data` is a Go map, so its keys are sorted. */
const httpResponse = (requestId: string, response: LogicalResponse, mountType: string) => ({
  request_id: requestId,
  lease_id: "",
  renewable: false,
  lease_duration: 0,
  data: response.data === undefined || response.data === null ? null : sortedKeys(response.data),
  wrap_info: null,
  warnings: response.warnings === undefined || response.warnings.length === 0 ? null : response.warnings,
  auth: response.auth === undefined
    ? null
    : { ...response.auth, metadata: response.auth.metadata === null ? null : sortedKeys(response.auth.metadata) },
  mount_type: mountType
})

/** `respondOk` with a body: 200 and `json.NewEncoder(w).Encode`, hence the trailing newline. */
export const envelope = (requestId: string, response: LogicalResponse, mountType: string): VaultReply => ({
  status: 200,
  headers: { ...base, "content-type": json },
  body: `${goJson(httpResponse(requestId, response, mountType))}\n`
})

/** `respondOk(w, nil)`: 204, still with the JSON content type, no body. */
export const noContent = (): VaultReply => ({ status: 204, headers: { ...base, "content-type": json }, body: "" })

/** `respondError`: `{"errors":[message]}` or `{"errors":[]}` when there is no error value. */
export const errorReply = (status: number, message?: string): VaultReply => ({
  status,
  headers: { ...base, "content-type": json },
  body: `${goJson({ errors: message === undefined ? [] : [message] })}\n`
})

/**
 * `logical.RespondWithStatusCode`: the envelope is marshalled inside the plugin, before the router
 * sets `mount_type`, and written raw, so `mount_type` is `""` and there is no trailing newline.
 * Without a response the body is empty.
 */
export const rawReply = (requestId: string, status: number, response: LogicalResponse | null): VaultReply => ({
  status,
  headers: { ...base, "content-type": json },
  body: response === null ? "" : goJson(httpResponse(requestId, response, ""))
})

/** A JSON body written as-is (`sys/health` encodes its own struct). */
export const plainJson = (status: number, body: unknown): VaultReply => ({
  status,
  headers: { ...base, "content-type": json },
  body: `${goJson(body)}\n`
})

/** Go's `http.NotFound`, for paths outside `/v1/`. */
export const goNotFound = (): VaultReply => ({
  status: 404,
  headers: { ...base, "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  body: "404 page not found\n"
})
