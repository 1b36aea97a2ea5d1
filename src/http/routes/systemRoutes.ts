/** /system/info and /system/namespaces: what the gateway and faas-cli ask about the provider; and /healthz. */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Namespaces } from "../../provider/Namespaces.ts"
import { release, sha } from "../../version.ts"
import { respond } from "../errorResponse.ts"

export const providerInfo = {
  provider: "faas-nomad",
  orchestration: "nomad",
  version: { sha, release }
} as const

export const SystemRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const namespaces = yield* Namespaces
  const info = HttpServerResponse.jsonUnsafe(providerInfo)
  yield* router.add("GET", "/system/info", Effect.succeed(info))
  yield* router.add(
    "GET",
    "/system/namespaces",
    Effect.map(namespaces.list, (list) => HttpServerResponse.jsonUnsafe(list)).pipe(respond)
  )
}))

/** GET and HEAD /healthz: the provider serves. Open, as load balancers and Nomad's checks ask without credentials. */
export const HealthRoute = HttpRouter.add(
  "GET",
  "/healthz",
  HttpServerResponse.empty({ status: 200, headers: { "content-length": "0" } })
)
