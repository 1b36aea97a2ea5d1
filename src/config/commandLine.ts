/**
 * Reads the command line and the environment into a command and its settings.
 * Precedence: flag, then environment variable, then default. Every problem is
 * one line that names the setting, so a bad start is obvious in any log.
 */
import { Result } from "effect"
import { type ProviderSettings, type Setting, type SettingKey, settings } from "./settings.ts"

export type Command = "start" | "dev"

export type Invocation =
  | { readonly _tag: "Run"; readonly command: Command; readonly settings: ProviderSettings }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Version" }

const commands: ReadonlyArray<Command> = ["start", "dev"]

const byFlag: ReadonlyMap<string, SettingKey> = new Map(
  (Object.keys(settings) as Array<SettingKey>).map((key) => [settings[key].flag, key])
)

const isBooleanSetting = (s: Setting<unknown>) => s.default === "false" || s.default === "true"

export const parseCommandLine = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Result.Result<Invocation, string> => {
  const fromFlags = new Map<SettingKey, string>()
  let command: Command | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--help" || arg === "-h" || arg === "help") return Result.succeed({ _tag: "Help" })
    if (arg === "--version" || arg === "-v" || arg === "version") return Result.succeed({ _tag: "Version" })
    if (!arg.startsWith("--")) {
      if (command !== undefined || !(commands as ReadonlyArray<string>).includes(arg)) {
        return Result.fail(`unknown command "${arg}": expected one of ${commands.join(", ")} (see --help)`)
      }
      command = arg as Command
      continue
    }
    const eq = arg.indexOf("=")
    const flag = eq === -1 ? arg : arg.slice(0, eq)
    const key = byFlag.get(flag)
    if (key === undefined) return Result.fail(`unknown flag ${flag} (see --help for the settings)`)
    let raw: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    if (raw === undefined) {
      const next = argv[i + 1]
      if (isBooleanSetting(settings[key]) && (next === undefined || next.startsWith("--"))) {
        raw = "true"
      } else if (next === undefined) {
        return Result.fail(`flag ${flag} needs a value`)
      } else {
        raw = next
        i++
      }
    }
    fromFlags.set(key, raw)
  }
  if (command === undefined) return Result.fail(`missing command: expected one of ${commands.join(", ")} (see --help)`)
  return Result.map(resolveSettings(fromFlags, env), (resolved) => ({ _tag: "Run", command, settings: resolved }))
}

/** Settings from flags given as raw strings, then the environment, then the defaults. */
export const resolveSettings = (
  fromFlags: ReadonlyMap<SettingKey, string>,
  env: Readonly<Record<string, string | undefined>>
): Result.Result<ProviderSettings, string> => {
  const values: Record<string, unknown> = {}
  for (const key of Object.keys(settings) as Array<SettingKey>) {
    const s: Setting<unknown> = settings[key]
    const flagValue = fromFlags.get(key)
    const envName = [s.env, s.fallbackEnv].find((name) => name !== undefined && (env[name] ?? "") !== "")
    const [raw, source] = flagValue !== undefined
      ? [flagValue, s.flag]
      : envName !== undefined
      ? [env[envName], envName]
      : [s.default, undefined]
    if (raw === undefined) {
      values[key] = undefined
      continue
    }
    const parsed = s.parse(raw)
    if (Result.isFailure(parsed)) {
      return Result.fail(`invalid ${source ?? `default of ${s.env}`}: ${parsed.failure}`)
    }
    values[key] = parsed.success
  }
  return Result.succeed(values as ProviderSettings)
}

/** Settings from the environment alone, for embedding apps and tests. */
export const settingsFromEnv = (env: Readonly<Record<string, string | undefined>>) => resolveSettings(new Map(), env)

export const helpText = (version: string): string => {
  const lines = [
    `faas-nomad ${version}: an OpenFaaS provider for HashiCorp Nomad`,
    "",
    "Usage: faas-nomad <command> [--setting value ...]",
    "",
    "Commands:",
    "  start   serve the faas-provider API against real Nomad, Consul and Vault",
    "  dev     serve it on an embedded in-memory cluster (no HashiCorp binaries needed)",
    "",
    "Every setting is a flag or an environment variable; a flag wins over the variable."
  ]
  const keys = Object.keys(settings) as Array<SettingKey>
  // Columns as wide as their longest entry, so a long name never pushes its description out of line.
  const flagWidth = Math.max(...keys.map((key) => settings[key].flag.length))
  const envWidth = Math.max(...keys.map((key) => settings[key].env.length))
  let group = ""
  for (const key of keys) {
    const s: Setting<unknown> = settings[key]
    if (s.group !== group) {
      group = s.group
      lines.push("", `${group}:`)
    }
    const defaultText = s.default === undefined ? "" : ` (default ${s.default})`
    lines.push(`  ${s.flag.padEnd(flagWidth)}  ${s.env.padEnd(envWidth)}  ${s.description}${defaultText}`)
  }
  return lines.join("\n")
}
