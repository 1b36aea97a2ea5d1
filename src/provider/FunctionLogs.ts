/**
 * A function's logs: the stdout and stderr of each of its allocations, read
 * through Nomad's log API, cut into lines and merged as they arrive. With
 * `tail`, each instance's last lines; with `since`, lines from then on; with
 * `follow`, the stream stays open for new lines until the caller leaves.
 *
 * Nomad's log frames carry no times. A line that starts with one (the
 * watchdog's `2006/01/02 15:04:05`, or RFC 3339) is dated by it; any other
 * line by when the provider read it.
 */
import { Context, DateTime, Effect, Layer, Stream } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { FunctionNotFound, type UpstreamError } from "../domain/errors.ts"
import type { FunctionRef } from "../domain/FunctionName.ts"
import type { LogMessage } from "../domain/LogMessage.ts"
import { jobId, jobSettingsFrom } from "../jobs/JobSettings.ts"
import { functionGroup } from "../jobs/toFunctionStatus.ts"
import type { AllocationListStub } from "../nomad/Allocation.ts"
import { Nomad } from "../services/Nomad.ts"
import { readFunctionJob } from "./readFunctionJob.ts"

export interface LogRequest {
  readonly ref: FunctionRef
  /** An allocation ID or a prefix of one. */
  readonly instance?: string | undefined
  /** Last lines of each instance; 0 for all. */
  readonly tail: number
  readonly since?: Date | undefined
  readonly follow: boolean
}

/** Enough bytes, on average, to hold the last lines asked for without reading a whole log. */
const bytesPerLine = 512
const maxTailBytes = 4 * 2 ** 20

const goLogTime = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?/
const rfc3339Time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/

/** The time a line starts with, if it starts with one. */
export const leadingTimestamp = (line: string): Date | undefined => {
  const go = goLogTime.exec(line)
  if (go !== null) {
    const [, y, mo, d, h, mi, s, fraction] = go
    return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction ?? ""}Z`)
  }
  const rfc = rfc3339Time.exec(line)
  if (rfc !== null) {
    const date = new Date(rfc[0])
    return Number.isNaN(date.getTime()) ? undefined : date
  }
  return undefined
}

/** Instances with logs: started, stopped or failed ones; not those still waiting to start. */
const hasLogs = (alloc: AllocationListStub) => alloc.ClientStatus !== "pending" && alloc.ClientStatus !== "lost"

export class FunctionLogs extends Context.Service<FunctionLogs, {
  readonly lines: (request: LogRequest) => Effect.Effect<Stream.Stream<LogMessage>, FunctionNotFound | UpstreamError>
}>()("faas-nomad/FunctionLogs") {
  static readonly layer = Layer.effect(
    FunctionLogs,
    Effect.gen(function*() {
      const nomad = yield* Nomad
      const settings = jobSettingsFrom(yield* ProviderConfig)

      const instanceLines = (
        request: LogRequest,
        alloc: AllocationListStub,
        task: string
      ): Stream.Stream<LogMessage> => {
        const { ref } = request
        const tailBytes = request.tail > 0 ? Math.min(request.tail * bytesPerLine, maxTailBytes) : undefined
        const read = (stream: "stdout" | "stderr", follow: boolean, fromEndBytes: number | undefined) =>
          nomad.allocationLogs(ref.namespace, alloc.ID, task, stream, { follow, fromEndBytes }).pipe(
            Stream.decodeText,
            Stream.splitLines,
            // A log that cannot be read (its allocation collected, a client gone) ends; the others go on.
            Stream.catch((error) =>
              Stream.fromEffect(Effect.logWarning(`logs of ${alloc.ID}: ${error.message}`)).pipe(Stream.drain)
            )
          )
        const oneStream = (stream: "stdout" | "stderr") => {
          if (tailBytes === undefined) return read(stream, request.follow, undefined)
          const history = read(stream, false, tailBytes).pipe(Stream.takeRight(request.tail))
          return request.follow ? Stream.concat(history, read(stream, true, 0)) : history
        }
        return Stream.merge(oneStream("stdout"), oneStream("stderr")).pipe(
          Stream.mapEffect((text) =>
            Effect.map(DateTime.now, (now): LogMessage => {
              const at = leadingTimestamp(text) ?? DateTime.toDateUtc(now)
              return { name: ref.name, namespace: ref.namespace, instance: alloc.ID, timestamp: at.toISOString(), text }
            })
          ),
          Stream.filter((message) =>
            request.since === undefined || new Date(message.timestamp).getTime() >= request.since.getTime()
          )
        )
      }

      const lines = Effect.fn("FunctionLogs.lines")(function*(request: LogRequest) {
        const id = jobId(settings, request.ref.name)
        const job = yield* readFunctionJob(nomad, settings, request.ref)
        const task = functionGroup(job, request.ref.name)?.Tasks[0]?.Name ?? request.ref.name
        const allocations = (yield* nomad.jobAllocations(request.ref.namespace, id))
          .filter(hasLogs)
          .filter((a) => request.instance === undefined || a.ID.startsWith(request.instance))
          .sort((a, b) => (a.CreateIndex ?? 0) - (b.CreateIndex ?? 0))
        return Stream.mergeAll(allocations.map((alloc) => instanceLines(request, alloc, task)), {
          concurrency: "unbounded"
        })
      })

      return FunctionLogs.of({ lines })
    })
  )
}
