/** /system/info and /system/namespaces: what the gateway and faas-cli ask about the provider; and /healthz. */
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import type { ProviderInfo } from "../../domain/ProviderInfo.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { release, sha } from "../../version.ts"
import { ProviderApi } from "../api/ProviderApi.ts"

export const providerInfo: ProviderInfo = {
  provider: "faas-nomad",
  orchestration: "nomad",
  version: { sha, release }
}

export const SystemHandlers = HttpApiBuilder.group(
  ProviderApi,
  "system",
  Effect.fnUntraced(function*(handlers) {
    const namespaces = yield* Namespaces
    return handlers
      .handle("info", () => Effect.succeed(providerInfo))
      .handle("namespaces", () => namespaces.list)
  })
)

/** GET and HEAD /healthz: the provider serves. */
export const HealthHandlers = HttpApiBuilder.group(
  ProviderApi,
  "health",
  (handlers) => handlers.handle("healthz", () => Effect.void)
)
