/** /system/logs answers 501 until its backend lands (the logs issue); the gateway maps 501 for logs to 501. */
import { Effect } from "effect"
import { HttpRouter } from "effect/http"
import { NotImplemented } from "../../domain/errors.ts"
import { respond } from "../errorResponse.ts"

export const PendingRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  yield* router.add("GET", "/system/logs", respond(Effect.fail(new NotImplemented({ feature: "/system/logs" }))))
}))
