/**
 * Leadership for a provider that runs alone (the dev cluster, an embedding
 * app, one replica on Nomad): it always leads.
 */
import { Effect, Layer } from "effect"
import { Leadership } from "../../services/Leadership.ts"

export const make = Leadership.of({
  whileLeader: (lead) => Effect.andThen(Effect.scoped(lead), Effect.never)
})

export const layer: Layer.Layer<Leadership> = Layer.succeed(Leadership, make)
