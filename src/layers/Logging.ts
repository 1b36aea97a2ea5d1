/** Where log lines go and which: `log_format` (text, logfmt, json) and `log_level`. */
import { Effect, Layer, Logger, References } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"

const levels = { debug: "Debug", info: "Info", warn: "Warn", error: "Error" } as const

export const Logging = Layer.unwrap(Effect.map(Effect.service(ProviderConfig), (config) =>
  Layer.mergeAll(
    Logger.layer([
      config.logFormat === "json"
        ? Logger.consoleJson
        : config.logFormat === "logfmt"
        ? Logger.consoleLogFmt
        : Logger.defaultLogger
    ]),
    Layer.succeed(References.MinimumLogLevel, levels[config.logLevel])
  )))
