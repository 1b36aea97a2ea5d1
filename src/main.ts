/**
 * The `faas-nomad` command: `dev` serves on the embedded cluster, `start`
 * against real Nomad, Consul and Vault. Configuration errors stop the start
 * with one line naming the setting.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Result } from "effect"
import { clusterDescription } from "./config/clusterDescription.ts"
import { type Command, helpText, parseCommandLine } from "./config/commandLine.ts"
import { ProviderConfig } from "./config/ProviderConfig.ts"
import type { ProviderSettings } from "./config/settings.ts"
import type { StartupError } from "./config/StartupError.ts"
import * as ProcessRunner from "./dev/ProcessRunner.ts"
import { ProviderServer } from "./http/ProviderServer.ts"
import { DevCluster } from "./layers/DevCluster.ts"
import { Lifecycle } from "./layers/Lifecycle.ts"
import { LiveCluster } from "./layers/LiveCluster.ts"
import { Logging } from "./layers/Logging.ts"
import { Telemetry } from "./layers/Telemetry.ts"
import { ProviderServices } from "./provider/ProviderServices.ts"
import type { Discovery } from "./services/Discovery.ts"
import type { Leadership } from "./services/Leadership.ts"
import type { LoadExchange } from "./services/LoadExchange.ts"
import type { Metrics } from "./services/Metrics.ts"
import type { Nomad } from "./services/Nomad.ts"
import type { SecretStore } from "./services/SecretStore.ts"
import { Serving } from "./services/Serving.ts"
import { release } from "./version.ts"

/** What stopped the provider, for the log: the signal, once one arrived. */
let stopSignal: string | undefined
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => (stopSignal ??= signal))

const serve = (command: Command, settings: ProviderSettings) => {
  const infrastructure: Layer.Layer<
    Nomad | Discovery | Metrics | SecretStore | Leadership | LoadExchange,
    StartupError,
    ProviderConfig
  > = command === "start"
    ? LiveCluster
    : DevCluster(ProcessRunner.layerWith({ maxHeaderSize: settings.maxHeaderSize }))
  const config = ProviderConfig.layer(settings)
  const why = () => stopSignal ?? "interruption"
  const app = Lifecycle(clusterDescription(command, settings), why).pipe(
    Layer.provide(ProviderServer),
    Layer.provide(ProviderServices),
    Layer.provide(infrastructure),
    Layer.provide(Layer.mergeAll(Telemetry, Logging, Serving.layer)),
    Layer.provide(config)
  )
  return Layer.launch(app).pipe(
    // A start that cannot go on (a credentials file missing, a port taken) is one line saying why.
    Effect.tapCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.sync(() => {
        const error = Cause.squash(cause)
        process.stderr.write(`faas-nomad: ${error instanceof Error ? error.message : String(error)}\n`)
      })
    ),
    Effect.onInterrupt(() => Effect.logInfo(`Stopped on ${why()}`)),
    Effect.provide(Logging.pipe(Layer.provide(config))),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)
    })
  )
}

const invocation = parseCommandLine(process.argv.slice(2), process.env)
if (Result.isFailure(invocation)) {
  process.stderr.write(`faas-nomad: ${invocation.failure}\n`)
  process.exit(2)
}
switch (invocation.success._tag) {
  case "Help":
    process.stdout.write(`${helpText(release)}\n`)
    break
  case "Version":
    process.stdout.write(`faas-nomad ${release}\n`)
    break
  case "Run":
    serve(invocation.success.command, invocation.success.settings)
}
