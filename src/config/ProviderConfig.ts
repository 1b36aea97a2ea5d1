/**
 * The provider's parsed settings as a service, so layers read configuration
 * from the context instead of from `process.env`.
 */
import { Context, Effect, Layer, Result } from "effect"
import { settingsFromEnv } from "./commandLine.ts"
import type { ProviderSettings } from "./settings.ts"
import { StartupError } from "./StartupError.ts"

export class ProviderConfig extends Context.Service<ProviderConfig, ProviderSettings>()("faas-nomad/ProviderConfig") {
  static readonly layer = (settings: ProviderSettings): Layer.Layer<ProviderConfig> =>
    Layer.succeed(ProviderConfig, settings)

  /** Defaults overridden by the given environment-style values; fails on an invalid one. */
  static readonly fromEnv = (
    env: Readonly<Record<string, string | undefined>>
  ): Effect.Effect<ProviderSettings, StartupError> =>
    Result.match(settingsFromEnv(env), {
      onFailure: (message) => Effect.fail(new StartupError({ message })),
      onSuccess: Effect.succeed
    })

  static readonly layerFromEnv = (
    env: Readonly<Record<string, string | undefined>>
  ): Layer.Layer<ProviderConfig, StartupError> => Layer.effect(ProviderConfig, ProviderConfig.fromEnv(env))
}
