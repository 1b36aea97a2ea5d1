/** /system/info, /system/namespaces and /healthz: what the gateway and faas-cli ask about the provider. */
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
  const healthy = HttpServerResponse.empty({ status: 200 })
  yield* router.add("GET", "/healthz", Effect.succeed(healthy))
}))
