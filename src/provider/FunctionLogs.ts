/**
 * A function's logs: the stdout and stderr of each of its allocations, read
 * through Nomad's log API, cut into lines and merged as they arrive. With
 * `tail`, each instance's last lines; with `since`, lines from then on; with
 * `follow`, the stream stays open for new lines until the caller leaves.
 *
 * Nomad's log frames carry no times. A line that starts with one (the
 * watchdog's `2006/01/02 15:04:05`, or RFC 3339) is dated by it; any other
 * line written before the request by the line before it, and one read as it
 * is written by when the provider read it. Lines written so far come instance
 * by instance, stdout and stderr in the order of their times.
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

interface DatedLine {
  readonly at: Date
  readonly text: string
}

/**
 * The lines of one log, each dated by the time it starts with, else by the line before it (the rest of a
 * multi-line message, a stack trace), else by when the instance started: never later than it was written.
 */
const dateLines = (texts: ReadonlyArray<string>, started: Date): Array<DatedLine> => {
  let last = started
  return texts.map((text) => {
    last = leadingTimestamp(text) ?? last
    return { at: last, text }
  })
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

      const read = (
        request: LogRequest,
        alloc: AllocationListStub,
        task: string,
        stream: "stdout" | "stderr",
        options: { readonly follow: boolean; readonly fromEndBytes: number | undefined }
      ) =>
        nomad.allocationLogs(request.ref.namespace, alloc.ID, task, stream, options).pipe(
          Stream.decodeText,
          Stream.splitLines,
          // A log that cannot be read (its allocation collected, a client gone) ends; the others go on.
          Stream.catch((error) =>
            Stream.fromEffect(Effect.logWarning(`logs of ${alloc.ID}: ${error.message}`)).pipe(Stream.drain)
          )
        )

      const message = (request: LogRequest, alloc: AllocationListStub, line: DatedLine): LogMessage => ({
        name: request.ref.name,
        namespace: request.ref.namespace,
        instance: alloc.ID,
        timestamp: line.at.toISOString(),
        text: line.text
      })

      const isSince = (request: LogRequest) => (line: DatedLine) =>
        request.since === undefined || line.at.getTime() >= request.since.getTime()

      /**
       * The lines an instance has written so far, stdout and stderr together in the order of their times, the
       * last `tail` of them when `tail` is set.
       */
      const history = (request: LogRequest, alloc: AllocationListStub, task: string) =>
        Effect.gen(function*() {
          const fromEndBytes = request.tail > 0 ? Math.min(request.tail * bytesPerLine, maxTailBytes) : undefined
          const [stdout, stderr] = yield* Effect.all(
            (["stdout", "stderr"] as const).map((stream) =>
              Stream.runCollect(read(request, alloc, task, stream, { follow: false, fromEndBytes }))
            ),
            { concurrency: 2 }
          )
          const started = alloc.CreateTime === undefined || alloc.CreateTime === null
            ? DateTime.toDateUtc(yield* DateTime.now)
            : new Date(Math.floor(alloc.CreateTime / 1e6))
          const lines = [...dateLines(stdout!, started), ...dateLines(stderr!, started)]
            .toSorted((a, b) => a.at.getTime() - b.at.getTime())
            .filter(isSince(request))
          return (request.tail > 0 ? lines.slice(-request.tail) : lines).map((line) => message(request, alloc, line))
        })

      /** What an instance writes from now on, each line as it comes: undated lines are dated when read. */
      const live = (
        request: LogRequest,
        alloc: AllocationListStub,
        task: string,
        fromEndBytes: number | undefined
      ): Stream.Stream<LogMessage> =>
        Stream.merge(
          read(request, alloc, task, "stdout", { follow: true, fromEndBytes }),
          read(request, alloc, task, "stderr", { follow: true, fromEndBytes })
        ).pipe(
          Stream.mapEffect((text) =>
            Effect.map(DateTime.now, (now) => ({ at: leadingTimestamp(text) ?? DateTime.toDateUtc(now), text }))
          ),
          Stream.filter(isSince(request)),
          Stream.map((line) => message(request, alloc, line))
        )

      const lines = Effect.fn("FunctionLogs.lines")(function*(request: LogRequest) {
        const id = jobId(settings, request.ref.name)
        const job = yield* readFunctionJob(nomad, settings, request.ref)
        const task = functionGroup(job, request.ref.name)?.Tasks[0]?.Name ?? request.ref.name
        const allocations = (yield* nomad.jobAllocations(request.ref.namespace, id))
          .filter(hasLogs)
          .filter((a) => request.instance === undefined || a.ID.startsWith(request.instance))
          .sort((a, b) => (a.CreateIndex ?? 0) - (b.CreateIndex ?? 0))
        // Every line of a log followed from its start is read as it comes, so none is lost between a read of the
        // history and a follow; otherwise each instance's history, in order, then (following) what comes next.
        if (request.follow && request.tail <= 0) {
          return Stream.mergeAll(allocations.map((alloc) => live(request, alloc, task, undefined)), {
            concurrency: "unbounded"
          })
        }
        const histories = Stream.fromIterableEffect(
          Effect.map(
            Effect.forEach(allocations, (alloc) => history(request, alloc, task), { concurrency: "unbounded" }),
            (perInstance) => perInstance.flat()
          )
        )
        return request.follow
          ? Stream.concat(
            histories,
            Stream.mergeAll(allocations.map((alloc) => live(request, alloc, task, 0)), { concurrency: "unbounded" })
          )
          : histories
      })

      return FunctionLogs.of({ lines })
    })
  )
}
