/**
 * The functions the leader scales, as Nomad holds them: one watch on the
 * job list of every namespace (a blocking query, so no request while no job
 * changes), the policy read from the deployment each job keeps in its Meta,
 * and a full read only of an autoscaled job whose `JobModifyIndex` changed,
 * for its count. However many functions exist, a steady interval costs no
 * Nomad request here.
 */
import { type Duration, Effect, Option, Predicate, Schedule, type Scope, Stream } from "effect"
import { decodeFunctionName, decodeNamespaceName, type FunctionRef, refKey } from "../../domain/FunctionName.ts"
import { metaKeys } from "../../jobs/jobMeta.ts"
import type { JobSettings } from "../../jobs/JobSettings.ts"
import { readScalingPolicy, type ScalingPolicy } from "../../jobs/scalingPolicy.ts"
import { deploymentOf, functionGroup } from "../../jobs/toFunctionStatus.ts"
import type { JobListStub } from "../../nomad/JobListStub.ts"
import type { Nomad } from "../../services/Nomad.ts"

export interface AutoscaledFunction {
  readonly ref: FunctionRef
  /** `refKey(ref)`, made once: the key of the function's load in a window and of what the leader keeps of it. */
  readonly key: string
  readonly jobId: string
  readonly policy: ScalingPolicy
  /** The count Nomad has been asked for. */
  readonly count: number
  /** The job version the count belongs to: what a scale decided on it must still find (check-and-set). */
  readonly jobModifyIndex: number
}

interface Known {
  readonly jobModifyIndex: number
  /** Undefined for a job that is no function, or a function that is not autoscaled. */
  readonly autoscaled: AutoscaledFunction | undefined
}

export interface AutoscaledFunctions {
  /** The autoscaled functions now: empty until the first list has come. */
  readonly current: Effect.Effect<ReadonlyArray<AutoscaledFunction>>
}

/** The labels a job's Meta records, read without decoding the whole deployment; undefined when it records none. */
const recordedLabels = (meta: Readonly<Record<string, string>> | null | undefined) => {
  const json = meta?.[metaKeys.deployment]
  if (json === undefined) return undefined
  try {
    const labels = (JSON.parse(json) as { labels?: unknown } | null)?.labels
    if (!Predicate.isObject(labels)) return {}
    return Object.fromEntries(Object.entries(labels).filter(([, v]) => Predicate.isString(v))) as Record<string, string>
  } catch {
    return undefined
  }
}

/** Backoff while Nomad cannot be watched: the last list stands meanwhile. */
const rewatch = Schedule.min([Schedule.exponential("500 millis", 2), Schedule.spaced("30 seconds")]).pipe(
  Schedule.jittered
)

/** The view, for as long as the scope lasts (the leader's term). */
export const watchAutoscaledFunctions = (
  nomad: Nomad["Service"],
  settings: JobSettings,
  /** The autoscaler's interval: the list need not be fresher than the decisions made on it. */
  interval: Duration.Duration
): Effect.Effect<AutoscaledFunctions, never, Scope.Scope> =>
  Effect.gen(function*() {
    let latest: ReadonlyArray<JobListStub> | undefined
    const known = new Map<string, Known>()

    yield* nomad.watchJobs(settings.jobPrefix, interval).pipe(
      Stream.runForEach((stubs) => Effect.sync(() => (latest = stubs))),
      Effect.tapError((error) => Effect.logWarning(`autoscaler: cannot watch Nomad's jobs: ${error.message}`)),
      Effect.retry(rewatch),
      Effect.forkScoped
    )

    /** What a listed job is now: from the cache when unchanged, else from its Meta and, if autoscaled, a read. */
    const resolve = Effect.fnUntraced(function*(stub: JobListStub, key: string) {
      const index = stub.JobModifyIndex ?? 0
      const cached = known.get(key)
      if (cached !== undefined && cached.jobModifyIndex === index) return
      const name = decodeFunctionName(stub.Meta?.[metaKeys.function] ?? stub.ID.slice(settings.jobPrefix.length))
      const namespace = decodeNamespaceName(stub.Namespace ?? "default")
      const labels = recordedLabels(stub.Meta)
      const notAutoscaled = { jobModifyIndex: index, autoscaled: undefined }
      if (Option.isNone(name) || Option.isNone(namespace)) return known.set(key, notAutoscaled)
      // Jobs this provider wrote say in their Meta whether they are autoscaled; older ones are read to know.
      if (labels !== undefined && readPolicy(labels) === undefined) return known.set(key, notAutoscaled)
      const job = yield* nomad.readJob(namespace.value, stub.ID)
      if (Option.isNone(job) || job.value.Stop === true) return known.delete(key)
      const policy = readPolicy(deploymentOf(job.value, name.value)?.labels)
      const group = functionGroup(job.value, name.value)
      const jobModifyIndex = job.value.JobModifyIndex ?? index
      known.set(key, {
        jobModifyIndex,
        autoscaled: policy === undefined || group === undefined ? undefined : {
          ref: { name: name.value, namespace: namespace.value },
          key: refKey({ name: name.value, namespace: namespace.value }),
          jobId: stub.ID,
          policy,
          count: group.Count ?? 1,
          jobModifyIndex
        }
      })
    })

    const readPolicy = (labels: Readonly<Record<string, string>> | null | undefined) => {
      const read = readScalingPolicy(labels, settings.maxReplicas)
      return read._tag === "Success" ? read.success : undefined
    }

    /** The last list decided on, when every job in it was read: while the watch brings no new list, its answer. */
    let settled:
      | { readonly stubs: ReadonlyArray<JobListStub>; readonly autoscaled: Array<AutoscaledFunction> }
      | undefined

    const current = Effect.gen(function*() {
      const stubs = latest
      if (stubs === undefined) return []
      if (settled?.stubs === stubs) return settled.autoscaled
      let unread = false
      // A plain loop over the list: only the jobs that changed since last seen cost an effect (and a read).
      const listed = new Set<string>()
      const changed: Array<{ readonly stub: JobListStub; readonly key: string }> = []
      for (const stub of stubs) {
        if (stub.Stop === true) continue
        const key = `${stub.Namespace ?? "default"}/${stub.ID}`
        listed.add(key)
        if (known.get(key)?.jobModifyIndex !== (stub.JobModifyIndex ?? 0)) changed.push({ stub, key })
      }
      if (changed.length > 0) {
        yield* Effect.forEach(changed, ({ key, stub }) =>
          // A job that cannot be read now is tried again at the next decision.
          resolve(stub, key).pipe(
            Effect.catch((error) => {
              unread = true
              return Effect.logWarning(`autoscaler: cannot read job ${stub.ID}: ${error.message}`)
            })
          ), { concurrency: 8, discard: true })
      }
      for (const key of known.keys()) if (!listed.has(key)) known.delete(key)
      const autoscaled: Array<AutoscaledFunction> = []
      for (const entry of known.values()) if (entry.autoscaled !== undefined) autoscaled.push(entry.autoscaled)
      settled = unread ? undefined : { stubs, autoscaled }
      return autoscaled
    })

    return { current }
  })
