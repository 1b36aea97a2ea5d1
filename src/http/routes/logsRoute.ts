/**
 * GET /system/logs: a function's log lines as NDJSON, each written as soon as
 * it is read (faas-cli logs and the gateway read them this way). The query
 * is faas-provider's: name, namespace, instance, tail, since, follow.
 */
import { Effect, Result } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { boolean } from "../../config/values.ts"
import { InvalidRequest, LogRequestInvalid } from "../../domain/errors.ts"
import { FunctionName } from "../../domain/FunctionName.ts"
import { FunctionLogs } from "../../provider/FunctionLogs.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { ProviderApi } from "../api/ProviderApi.ts"
import { decodeWith } from "../requestInput.ts"

/**
 * `tail` is a whole number of lines per instance; 0 or less means every line, as in faas-provider (faas-cli sends
 * `tail=-1` unless `--lines` is given).
 */
const parseTail = (raw: string | undefined): Effect.Effect<number, LogRequestInvalid> => {
  if (raw === undefined || raw === "") return Effect.succeed(0)
  return /^-?\d+$/.test(raw.trim())
    ? Effect.succeed(Math.max(0, Number(raw)))
    : Effect.fail(new LogRequestInvalid({ message: `tail: "${raw}" is not a whole number` }))
}

/** `follow` is a boolean as Go's strconv.ParseBool reads one (faas-cli sends `true` or `false`); absent is false. */
const parseFollow = (raw: string | undefined): Effect.Effect<boolean, LogRequestInvalid> => {
  if (raw === undefined || raw === "") return Effect.succeed(false)
  const parsed = boolean(raw)
  return Result.isSuccess(parsed)
    ? Effect.succeed(parsed.success)
    : Effect.fail(new LogRequestInvalid({ message: `follow: "${raw}" is not true or false` }))
}

/** `since` is an RFC 3339 time. */
const parseSince = (raw: string | undefined): Effect.Effect<Date | undefined, LogRequestInvalid> => {
  if (raw === undefined || raw === "") return Effect.succeed(undefined)
  const date = new Date(raw)
  return /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(date.getTime())
    ? Effect.succeed(date)
    : Effect.fail(new LogRequestInvalid({ message: `since: "${raw}" is not an RFC 3339 time` }))
}

const decodeName = decodeWith(FunctionName, "name")

/** The name is optional in the query's schema, so that its absence reads as this, not as a missing key. */
const parseName = (raw: string | undefined): Effect.Effect<FunctionName, InvalidRequest> =>
  raw === undefined || raw === ""
    ? Effect.fail(new InvalidRequest({ message: "name: the function's name is required" }))
    : decodeName(raw)

export const LogsHandlers = HttpApiBuilder.group(
  ProviderApi,
  "logs",
  Effect.fnUntraced(function*(handlers) {
    const logs = yield* FunctionLogs
    const namespaces = yield* Namespaces
    return handlers.handle("logs", ({ query }) =>
      Effect.gen(function*() {
        const name = yield* parseName(query.name)
        const namespace = yield* namespaces.resolve(query.namespace || undefined)
        return yield* logs.lines({
          ref: { name, namespace },
          instance: query.instance || undefined,
          tail: yield* parseTail(query.tail),
          since: yield* parseSince(query.since),
          follow: yield* parseFollow(query.follow)
        })
      }))
  })
)
