/**
 * The load exchange of a provider that runs alone: it has no peers, and the
 * leader (itself) reads its own window directly.
 */
import { Effect, Layer } from "effect"
import { LoadExchange } from "../../services/LoadExchange.ts"

export const make = LoadExchange.of({
  publish: () => Effect.void,
  peers: Effect.succeed([])
})

export const layer: Layer.Layer<LoadExchange> = Layer.succeed(LoadExchange, make)
