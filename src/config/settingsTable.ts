/** The configuration table of the README, made from the settings table so the two cannot drift. */
import { type Setting, type SettingKey, settings } from "./settings.ts"

const cell = (text: string) => text.replaceAll("|", "\\|")

export const settingsMarkdown = (): string => {
  const rows = (Object.keys(settings) as Array<SettingKey>).map((key) => {
    const s: Setting<unknown> = settings[key]
    const env = s.fallbackEnv === undefined ? `\`${s.env}\`` : `\`${s.env}\`, \`${s.fallbackEnv}\``
    return `| ${env} | \`${s.flag}\` | ${s.default === undefined ? "" : `\`${cell(s.default)}\``} | ${
      cell(s.description)
    } |`
  })
  return ["| Environment variable | Flag | Default | Meaning |", "|---|---|---|---|", ...rows].join("\n")
}
