/**
 * The `faas-nomad` command: `dev` serves on the embedded cluster, `start`
 * against real Nomad, Consul and Vault. Configuration errors stop the start
 * with one line naming the setting.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Result } from "effect"
import { type Command, helpText, parseCommandLine } from "./config/commandLine.ts"
import { ProviderConfig } from "./config/ProviderConfig.ts"
import type { ProviderSettings } from "./config/settings.ts"
import { ProviderServer } from "./http/ProviderServer.ts"
import { DevCluster } from "./layers/DevCluster.ts"
import { EchoRunner } from "./layers/memory/EchoRunner.ts"
import { ProviderServices } from "./provider/ProviderServices.ts"
import { release } from "./version.ts"

/** What `start` cannot serve yet, each with the issue that brings it. */
const notYetLive = [
  "the Nomad HTTP client (live Nomad issue)",
  "Consul and Nomad service discovery (discovery issue)",
  "Vault and Nomad Variables secrets (secrets issue)"
]

const serve = (command: Command, settings: ProviderSettings) => {
  if (command === "start") {
    process.stderr.write(
      `faas-nomad: "start" needs parts that are not available yet: ${notYetLive.join("; ")}. ` +
        `Use "faas-nomad dev" meanwhile.\n`
    )
    process.exit(1)
  }
  const app = ProviderServer.pipe(
    Layer.provide(ProviderServices),
    Layer.provide(DevCluster(EchoRunner)),
    Layer.provide(ProviderConfig.layer(settings))
  )
  return Layer.launch(app).pipe(
    Effect.tapCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError(`faas-nomad ${command} stopped`, Cause.squash(cause))
    ),
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
