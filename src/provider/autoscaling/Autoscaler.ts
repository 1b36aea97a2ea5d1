/**
 * The autoscaler (`autoscaler=on`): every `autoscaler_interval`, on Effect's
 * clock, each provider replica takes the load it proxied in the interval and
 * publishes it; the one replica that holds the lease then sums every live
 * replica's load per function, decides (`decide.ts`), and scales through
 * `Functions.autoscale`: the manual scale's path, with check-and-set on the
 * job version it decided on, so a scale or an update that lands meanwhile
 * wins and the decision is made again on the next interval.
 *
 * Every change of a count is one log line (function, namespace, from, to,
 * load, reason), one `faas_nomad_autoscaler_decisions_total`, and a span;
 * each interval sets the gauges of desired replicas and load per replica.
 */
import { Clock, Duration, Effect, Layer, Option, Queue } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { jobSettingsFrom } from "../../jobs/JobSettings.ts"
import { AllocationUsage } from "../../services/AllocationUsage.ts"
import { Leadership } from "../../services/Leadership.ts"
import { LoadExchange, type LoadWindow } from "../../services/LoadExchange.ts"
import { type AutoscalingRecorder, Metrics } from "../../services/Metrics.ts"
import { Nomad } from "../../services/Nomad.ts"
import { whenServing } from "../../services/Serving.ts"
import { EndpointResolver } from "../EndpointResolver.ts"
import { Functions } from "../Functions.ts"
import { type AutoscaledFunction, type AutoscaledFunctions, watchAutoscaledFunctions } from "./AutoscaledFunctions.ts"
import { decide, type Decision, type DecisionReason, type ScalingMemory } from "./decide.ts"
import { makeLoadMeter } from "./LoadMeter.ts"

/** What the leader keeps of one autoscaled function during its term. */
interface Tracked {
  memory: ScalingMemory | undefined
  readonly recorder: AutoscalingRecorder
  /** The job version a scale of ours was decided on, until the watch shows the version that scale made. */
  scaledFrom: number | undefined
  /** The last interval that listed the function: one the latest did not list is gone. */
  listedIn: number
}

/** What the leader keeps during its term: each function's, by `refKey`, and how many intervals it has decided. */
interface Term {
  readonly tracked: Map<string, Tracked>
  intervals: number
}

/**
 * The load of `fn` summed over the replicas' windows, in its policy's unit; undefined when it was not used at all
 * (no replica saw an invocation of it start or in flight). A plain loop: it runs for every function every interval.
 */
const loadOf = (fn: AutoscaledFunction, windows: ReadonlyArray<LoadWindow>): number | undefined => {
  let rps = 0
  let inflight = 0
  let active = false
  for (let i = 0; i < windows.length; i++) {
    const load = windows[i]!.get(fn.key)
    if (load === undefined) continue
    rps += load.rps
    inflight += load.inflight
    active = true
  }
  if (!active) return undefined
  return fn.policy.type === "capacity" ? inflight : rps
}

const rounded = (n: number) => Math.round(n * 100) / 100

interface Change {
  readonly fn: AutoscaledFunction
  readonly from: number
  readonly to: number
  readonly load: number
  readonly reason: DecisionReason
}

/** One change of a count, as it is told: a log line with its fields, a counter, and the span it runs in. */
const tell = (change: Change, recorder: AutoscalingRecorder) =>
  Effect.logInfo(
    `autoscaler: ${change.fn.ref.name}.${change.fn.ref.namespace} ${change.from} -> ${change.to} replicas ` +
      `(${change.reason}, load ${rounded(change.load)} ${change.fn.policy.type})`
  ).pipe(
    Effect.annotateLogs({
      function: change.fn.ref.name,
      namespace: change.fn.ref.namespace,
      from: change.from,
      to: change.to,
      load: rounded(change.load),
      reason: change.reason
    }),
    Effect.andThen(Effect.sync(() => recorder.decided(change.reason)))
  )

const spanOf = (change: Change) => ({
  attributes: {
    "faas.function": change.fn.ref.name,
    "faas.namespace": change.fn.ref.namespace,
    "autoscaler.from": change.from,
    "autoscaler.to": change.to,
    "autoscaler.load": rounded(change.load),
    "autoscaler.reason": change.reason
  }
})

export const layer = Layer.effectDiscard(Effect.gen(function*() {
  const config = yield* ProviderConfig
  if (config.autoscaler !== "on") return
  const settings = jobSettingsFrom(config)
  const nomad = yield* Nomad
  const functions = yield* Functions
  const resolver = yield* EndpointResolver
  const metrics = yield* Metrics
  const leadership = yield* Leadership
  const exchange = yield* LoadExchange
  // Nomad's allocation stats, for the cpu type; the dev cluster has none, and leaves cpu functions as they are.
  const usage = yield* Effect.serviceOption(AllocationUsage)
  const interval = config.autoscalerInterval
  const scaleDownDelayMillis = Duration.toMillis(config.autoscalerScaleDownDelay)

  const meter = makeLoadMeter(resolver, yield* Clock.currentTimeMillis)
  /** This replica's latest window, for the leader: only the latest counts. */
  const windows = yield* Queue.sliding<LoadWindow>(1)

  /** Whether this replica decides now: the leader reads its own window directly, and need not publish it. */
  let leading = false

  /** Every replica, every interval: take the window, publish it (unless leading), hand it to the leader's loop. */
  const measure = Effect.gen(function*() {
    const window = meter(yield* Clock.currentTimeMillis)
    if (!leading) {
      yield* exchange.publish(window).pipe(
        Effect.catch((error) => Effect.logWarning(`autoscaler: cannot publish this replica's load: ${error.message}`))
      )
    }
    yield* Queue.offer(windows, window)
  })
  yield* Effect.sleep(interval).pipe(Effect.andThen(measure), Effect.forever, Effect.forkScoped)

  /** Scales one function as decided; a lost race or a running deployment leaves it to the next interval. */
  const scale = (fn: AutoscaledFunction, tracked: Tracked, decision: Decision, load: number) => {
    const change: Change = { fn, from: fn.count, to: decision.desired, load, reason: decision.reason ?? "load" }
    return functions.autoscale(fn.ref, decision.desired, {
      jobModifyIndex: fn.jobModifyIndex,
      message: `scaled to ${decision.desired} by faas-nomad's autoscaler (${change.reason})`
    }).pipe(
      Effect.andThen(Effect.sync(() => {
        tracked.memory = decision.memory
        tracked.scaledFrom = fn.jobModifyIndex
      })),
      Effect.andThen(tell(change, tracked.recorder)),
      Effect.catchTags({
        JobIndexConflict: () =>
          Effect.logDebug(`autoscaler: ${fn.ref.name}.${fn.ref.namespace} changed meanwhile; deciding again`),
        ScaleBlocked: () =>
          Effect.logInfo(
            `autoscaler: ${fn.ref.name}.${fn.ref.namespace} is not scaled while a deployment of it runs`
          )
      }),
      Effect.catch((error) =>
        Effect.logWarning(`autoscaler: cannot scale ${fn.ref.name}.${fn.ref.namespace}: ${error._tag}`, error)
      ),
      Effect.withSpan("Autoscaler.scale", spanOf(change)),
      // A defect in one function's scale must not stop the others, nor the loop.
      Effect.catchCause((cause) =>
        Effect.logError(`autoscaler: scaling ${fn.ref.name}.${fn.ref.namespace} failed`, cause)
      )
    )
  }

  /**
   * Millicores the function's running allocations use now, summed: one stats request per allocation (Nomad has
   * no bulk endpoint); none when they cannot be read, and the function is left as it is this interval.
   */
  const cpuOf = (fn: AutoscaledFunction): Effect.Effect<Option.Option<number>> => {
    if (Option.isNone(usage)) return Effect.succeedNone
    const stats = usage.value
    return nomad.jobAllocations(fn.ref.namespace, fn.jobId).pipe(
      Effect.flatMap((allocations) =>
        Effect.forEach(
          allocations.filter((a) => a.DesiredStatus === "run" && a.ClientStatus === "running"),
          (a) => stats.cpuMillicores(a.ID),
          { concurrency: 8 }
        )
      ),
      Effect.map((each) => Option.some(each.reduce((sum, m) => sum + Option.getOrElse(m, () => 0), 0))),
      Effect.catch((error) =>
        Effect.as(
          Effect.logWarning(`autoscaler: cannot read the cpu of ${fn.ref.name}.${fn.ref.namespace}: ${error.message}`),
          Option.none()
        )
      )
    )
  }

  /**
   * One interval's decisions, made without effects (a plain loop over every autoscaled function, allocating
   * nothing for one whose count stays): what is to be told or scaled is returned, to run.
   */
  const decideEach = (
    autoscaled: ReadonlyArray<AutoscaledFunction>,
    loads: ReadonlyArray<LoadWindow>,
    cpu: ReadonlyMap<string, number>,
    now: number,
    term: Term
  ): Array<Effect.Effect<void>> => {
    const { tracked } = term
    const thisInterval = ++term.intervals
    const scales: Array<Effect.Effect<void>> = []
    for (let i = 0; i < autoscaled.length; i++) {
      const fn = autoscaled[i]!
      const key = fn.key
      let entry = tracked.get(key)
      if (entry === undefined) {
        entry = {
          memory: undefined,
          recorder: metrics.autoscaling(fn.ref),
          scaledFrom: undefined,
          listedIn: thisInterval
        }
        tracked.set(key, entry)
      }
      entry.listedIn = thisInterval
      const millicores = cpu.get(key)
      // A cpu function whose stats could not be read is left as it is (one at 0 has none to read).
      if (fn.policy.type === "cpu" && millicores === undefined && fn.count > 0) continue
      // Our own scale is not in the watched jobs yet: deciding now would decide on the old count.
      if (entry.scaledFrom === fn.jobModifyIndex) continue
      entry.scaledFrom = undefined
      const measured = loadOf(fn, loads)
      const load = fn.policy.type === "cpu" ? millicores ?? 0 : measured ?? 0
      const decision = decide({
        policy: fn.policy,
        current: fn.count,
        load,
        active: measured !== undefined,
        now,
        scaleDownDelayMillis,
        memory: entry.memory
      })
      entry.recorder.observed(decision.desired, load / Math.max(fn.count, 1))
      if (decision.reason === "manual") {
        const change: Change = { fn, from: entry.memory?.count ?? fn.count, to: fn.count, load, reason: "manual" }
        entry.memory = decision.memory
        scales.push(tell(change, entry.recorder).pipe(Effect.withSpan("Autoscaler.adopt", spanOf(change))))
      } else if (decision.desired === fn.count) {
        entry.memory = decision.memory
      } else {
        scales.push(scale(fn, entry, decision, load))
      }
    }
    tracked.forEach((entry, key) => {
      if (entry.listedIn !== thisInterval) {
        entry.recorder.clear()
        tracked.delete(key)
      }
    })
    return scales
  }

  const noCpu: ReadonlyMap<string, number> = new Map()

  /** One interval of the leader's: sum the loads, decide for every autoscaled function, scale those that change. */
  const decideAll = Effect.fnUntraced(function*(view: AutoscaledFunctions, term: Term, own: LoadWindow) {
    const peers = yield* exchange.peers.pipe(
      Effect.catch((error) =>
        Effect.as(Effect.logWarning(`autoscaler: deciding on this replica's load alone: ${error.message}`), [])
      )
    )
    const autoscaled = yield* view.current
    // Only the leader reads allocation stats, and only of functions that scale on cpu and run.
    let cpu = noCpu
    const onCpu = autoscaled.filter((fn) => fn.policy.type === "cpu" && fn.count > 0)
    if (onCpu.length > 0) {
      const read = new Map<string, number>()
      yield* Effect.forEach(
        onCpu,
        (fn) => Effect.map(cpuOf(fn), Option.map((millicores) => read.set(fn.key, millicores))),
        { concurrency: 4, discard: true }
      )
      cpu = read
    }
    const scales = decideEach(autoscaled, [own, ...peers], cpu, yield* Clock.currentTimeMillis, term)
    if (scales.length > 0) yield* Effect.all(scales, { concurrency: 4, discard: true })
  })

  /** The leader's term: watch the functions, decide on each window, and leave no gauge behind when it ends. */
  const lead = Effect.gen(function*() {
    const view = yield* watchAutoscaledFunctions(nomad, settings, interval)
    const term: Term = { tracked: new Map(), intervals: 0 }
    leading = true
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        leading = false
        for (const entry of term.tracked.values()) entry.recorder.clear()
      })
    )
    yield* Effect.logInfo("autoscaler: this replica decides")
    yield* Queue.take(windows).pipe(
      Effect.flatMap((own) =>
        decideAll(view, term, own).pipe(
          Effect.catchCause((cause) => Effect.logError("autoscaler: an interval's decisions failed", cause))
        )
      ),
      Effect.forever
    )
  })
  // The lease is sought once the provider serves (main.ts says when): a start that fails leads nothing.
  yield* whenServing.pipe(Effect.andThen(leadership.whileLeader(lead)), Effect.forkScoped)
}))
