/**
 * GET /system/logs: a function's log lines as NDJSON, each written as soon as
 * it is read (faas-cli logs and the gateway read them this way). The query
 * is faas-provider's: name, namespace, instance, tail, since, follow.
 */
import { Effect, Result, Stream } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { boolean } from "../../config/values.ts"
import { InvalidRequest, LogRequestInvalid } from "../../domain/errors.ts"
import { FunctionLogs } from "../../provider/FunctionLogs.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { respond } from "../errorResponse.ts"
import { decodeNameField, queryParam, requestNamespace } from "../requestInput.ts"

const encoder = new TextEncoder()

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

export const LogsRoute = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const logs = yield* FunctionLogs
  const namespaces = yield* Namespaces
  yield* router.add(
    "GET",
    "/system/logs",
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const rawName = queryParam(request, "name")
      if (rawName === undefined || rawName === "") {
        return yield* new InvalidRequest({ message: "name: the function's name is required" })
      }
      const { name } = yield* decodeNameField({ name: rawName })
      const namespace = yield* requestNamespace(namespaces)
      const followText = queryParam(request, "follow")
      const lines = yield* logs.lines({
        ref: { name, namespace },
        instance: queryParam(request, "instance") || undefined,
        tail: yield* parseTail(queryParam(request, "tail")),
        since: yield* parseSince(queryParam(request, "since")),
        follow: yield* parseFollow(followText)
      })
      return HttpServerResponse.stream(
        lines.pipe(Stream.map((message) => encoder.encode(`${JSON.stringify(message)}\n`))),
        { contentType: "application/x-ndjson" }
      )
    }).pipe(respond)
  )
}))
