/**
 * /system/secrets and /system/logs, which answer 501 until their backends
 * land (the secrets and logs issues); the gateway maps 501 for logs to 501.
 */
import { Effect } from "effect"
import { HttpRouter } from "effect/http"
import { NotImplemented } from "../../domain/errors.ts"
import { respond } from "../errorResponse.ts"

export const PendingRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const secrets = respond(Effect.fail(new NotImplemented({ feature: "/system/secrets" })))
  for (const method of ["GET", "POST", "PUT", "DELETE"] as const) yield* router.add(method, "/system/secrets", secrets)
  yield* router.add("GET", "/system/logs", respond(Effect.fail(new NotImplemented({ feature: "/system/logs" }))))
}))
