/**
 * Per-function proxy settings, chosen with labels at deploy time and carried
 * to every provider replica by the function's service tags, so the proxy
 * reads them with the endpoints it already watches, at no extra cost.
 *
 * - `com.openfaas.timeout`: how long an invocation may take (seconds or a Go duration)
 * - `com.openfaas.max_inflight`: invocations proxied at once; more get 429
 */
import { Duration, Result } from "effect"
import { duration } from "../config/values.ts"
import { quoted } from "../schema/problemText.ts"

export const proxyLabels = {
  timeout: "com.openfaas.timeout",
  maxInflight: "com.openfaas.max_inflight"
} as const

const timeoutTag = "openfaas-timeout="
const maxInflightTag = "openfaas-max-inflight="

/** The service tags for a deployment's labels, or the problems with them. */
export const proxySettingTags = (
  labels: Readonly<Record<string, string>> | null | undefined
): Result.Result<ReadonlyArray<string>, ReadonlyArray<string>> => {
  const tags: Array<string> = []
  const problems: Array<string> = []
  const timeout = labels?.[proxyLabels.timeout]
  if (timeout !== undefined) {
    const parsed = duration(timeout)
    if (Result.isFailure(parsed) || Duration.toMillis(parsed.success) <= 0) {
      problems.push(`labels: ${proxyLabels.timeout} must be a positive duration such as 30s, got ${quoted(timeout)}`)
    } else tags.push(`${timeoutTag}${Duration.toMillis(parsed.success)}ms`)
  }
  const maxInflight = labels?.[proxyLabels.maxInflight]
  if (maxInflight !== undefined) {
    // Past 2^53 a number is written 1e+22 in the tag, which would read back as 1.
    if (!/^\s*[1-9]\d*\s*$/.test(maxInflight) || !Number.isSafeInteger(Number(maxInflight))) {
      problems.push(`labels: ${proxyLabels.maxInflight} must be a whole number above 0, got ${quoted(maxInflight)}`)
    } else tags.push(`${maxInflightTag}${Number(maxInflight)}`)
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(tags)
}

export interface ProxySettings {
  readonly timeoutMillis: number | undefined
  readonly maxInflight: number | undefined
}

export const proxySettingsFromTags = (tags: ReadonlyArray<string>): ProxySettings => {
  let timeoutMillis: number | undefined
  let maxInflight: number | undefined
  for (const tag of tags) {
    if (tag.startsWith(timeoutTag)) timeoutMillis = parseInt(tag.slice(timeoutTag.length), 10) || undefined
    else if (tag.startsWith(maxInflightTag)) maxInflight = parseInt(tag.slice(maxInflightTag.length), 10) || undefined
  }
  return { timeoutMillis, maxInflight }
}
