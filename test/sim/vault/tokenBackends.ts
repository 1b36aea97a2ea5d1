/**
 * The `auth/token/` mount (a token managing itself: `lookup-self`, `renew-self`, `revoke-self`) and
 * the `auth/approle/` mount (`login`). Other paths of these mounts are not simulated and answer
 * `unsupported path`.
 */
import {
  type Backend,
  type BackendRequest,
  fail,
  ok,
  unsupportedOperation,
  unsupportedPath,
  withWarning
} from "./backend.ts"
import { decodeFields } from "./fieldSchema.ts"
import type { TokenStore } from "./tokenStore.ts"

const selfToken = (request: BackendRequest) => {
  if (request.token === undefined) throw new Error("token paths are authenticated; the core checks the token first")
  return request.token
}

export const tokenBackend = (store: TokenStore): Backend => ({
  mountType: "token",
  exists: () => undefined,
  handle: (request) => {
    switch (request.path) {
      case "lookup-self": {
        if (request.operation !== "read" && request.operation !== "update") return unsupportedOperation()
        const decoded = decodeFields(request.data, { token: "string" })
        if (!decoded.ok) return fail(400, decoded.error)
        return withWarning(ok({ data: store.lookupData(selfToken(request)) }), decoded.fields.warning)
      }
      case "renew-self": {
        if (request.operation !== "update") return unsupportedOperation()
        const decoded = decodeFields(request.data, { token: "string", increment: "durationSecond" })
        if (!decoded.ok) return fail(400, decoded.error)
        const token = selfToken(request)
        const renewed = store.renew(token, (decoded.fields.values.get("increment") as number | undefined) ?? 0)
        if (!renewed.ok) return fail(renewed.status, renewed.message)
        return withWarning(
          ok({ data: null, auth: store.authBlock(token), warnings: renewed.warnings }),
          decoded.fields.warning
        )
      }
      case "revoke-self": {
        if (request.operation !== "update") return unsupportedOperation()
        store.revoke(selfToken(request).id)
        return ok(null)
      }
      default:
        return unsupportedPath()
    }
  }
})

export const approleBackend = (store: TokenStore): Backend => ({
  mountType: "approle",
  unauthenticated: ["login"],
  exists: () => undefined,
  handle: (request) => {
    if (request.path !== "login") return unsupportedPath()
    if (request.operation !== "update") return unsupportedOperation()
    const decoded = decodeFields(request.data, { role_id: "string", secret_id: "string" })
    if (!decoded.ok) return fail(400, decoded.error)
    const field = (name: string) => (decoded.fields.values.get(name) as string | undefined) ?? ""
    const login = store.approleLogin(field("role_id"), field("secret_id"))
    if (!login.ok) return fail(400, login.message)
    return withWarning(ok({ data: null, auth: store.authBlock(login.entry) }), decoded.fields.warning)
  }
})
