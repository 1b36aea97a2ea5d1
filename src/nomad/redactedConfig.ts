/**
 * Registry passwords in a task's driver config stay `Redacted` in the
 * provider: wrapped as a job is decoded from Nomad, revealed only as a job is
 * written to Nomad. Nothing in between (a log line, a span, an error, a cache)
 * can print one.
 */
import { Redacted } from "effect"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const concealBlock = (block: unknown): unknown =>
  isRecord(block) && typeof block["password"] === "string"
    ? { ...block, password: Redacted.make(block["password"]) }
    : block

/** The docker driver's `auth` block (an object, or a list of them) with its password wrapped. */
export const concealDriverSecrets = (config: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const auth = config["auth"]
  if (auth === undefined) return config
  return { ...config, auth: Array.isArray(auth) ? auth.map(concealBlock) : concealBlock(auth) }
}

/** `value` with every `Redacted` inside replaced by what it holds: for the body of a request to Nomad, only. */
export const revealRedacted = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return Redacted.value(value)
  if (Array.isArray(value)) return value.map(revealRedacted)
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = revealRedacted(inner)
    return out
  }
  return value
}
