/** The autoscaler's decision, as a pure function of plain values: each rule of the issue, one test or more. */
import { describe, expect, it } from "@effect/vitest"
import type { ScalingPolicy } from "../../../src/jobs/scalingPolicy.ts"
import { decide, type Decision, type DecisionInput, replicasFor } from "../../../src/provider/autoscaling/decide.ts"

const policy: ScalingPolicy = {
  type: "rps",
  target: 5,
  targetProportion: 0.9,
  min: 1,
  max: 4,
  zero: false,
  zeroDurationMillis: 15 * 60_000
}
const minute = 60_000

/** Decides at each time with the load given, carrying the memory, starting from `count` replicas. */
const run = (
  count: number,
  steps: ReadonlyArray<readonly [at: number, load: number]>,
  options: Partial<DecisionInput> = {}
): Array<Decision> => {
  let memory: DecisionInput["memory"] = undefined
  let current = count
  return steps.map(([now, load]) => {
    const decision = decide({
      policy,
      current,
      load,
      active: load > 0,
      now,
      scaleDownDelayMillis: minute,
      memory,
      ...options
    })
    memory = decision.memory
    current = decision.desired
    return decision
  })
}

const counts = (decisions: ReadonlyArray<Decision>) => decisions.map((d) => d.desired)

describe("the autoscaling decision", () => {
  it("asks for ceil(load / (target × proportion)) replicas", () => {
    expect(replicasFor(policy, 0)).toBe(0)
    expect(replicasFor(policy, 4.5)).toBe(1)
    expect(replicasFor(policy, 4.51)).toBe(2)
    expect(replicasFor(policy, 40)).toBe(9)
    expect(replicasFor({ ...policy, targetProportion: 1 }, 10)).toBe(2)
    expect(replicasFor(policy, Number.NaN)).toBe(0)
  })

  it("scales up as soon as the desire rises, within max", () => {
    const [first, second] = run(1, [[0, 10], [5000, 40]])
    expect(first).toMatchObject({ desired: 3, reason: "load" })
    // ceil(40 / 4.5) = 9, held to max 4.
    expect(second).toMatchObject({ desired: 4, reason: "load" })
  })

  it("holds when the desire equals the count, and says nothing", () => {
    const [decision] = run(2, [[0, 9]])
    expect(decision).toMatchObject({ desired: 2, reason: undefined })
  })

  it("scales down only once the lower desire has lasted the delay, to the highest desire seen meanwhile", () => {
    // At 4 replicas, the load drops: desires 1, 3, 2, 1 ... over a minute.
    const steps: Array<readonly [number, number]> = [[0, 18]]
    const loads = [1, 12, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    loads.forEach((load, i) => steps.push([(i + 1) * 5000, load]))
    const decisions = run(1, steps)
    expect(decisions[0]).toMatchObject({ desired: 4, reason: "load" })
    // The first lower desire is seen at 5 s; the minute has passed at 65 s.
    expect(counts(decisions.slice(1, 13))).toEqual(Array(12).fill(4))
    expect(decisions.slice(1, 13).every((d) => d.reason === undefined)).toBe(true)
    // 12 req/s asked for 3, the highest desire of the minute.
    expect(decisions[13]).toMatchObject({ desired: 3, reason: "load" })
  })

  it("starts the wait again when the desire comes back to the count", () => {
    const decisions = run(1, [[0, 18], [5000, 1], [50_000, 18], [55_000, 1], [100_000, 1], [115_000, 1]])
    expect(counts(decisions)).toEqual([4, 4, 4, 4, 4, 1])
    expect(decisions[5]).toMatchObject({ reason: "load" })
  })

  it("with no delay, scales down at once", () => {
    expect(counts(run(1, [[0, 18], [5000, 1]], { scaleDownDelayMillis: 0 }))).toEqual([4, 1])
  })

  it("without load, a function that may not go to zero stays at min", () => {
    const decisions = run(4, [[0, 0], [minute, 0], [60 * minute, 0]])
    expect(counts(decisions)).toEqual([4, 1, 1])
    expect(decisions[1]).toMatchObject({ reason: "load" })
  })

  it("with zero=true, goes to 0 once no invocation came for zero-duration", () => {
    const zero = { policy: { ...policy, zero: true, zeroDurationMillis: 5000 } }
    const decisions = run(1, [[0, 3], [2500, 0], [5000, 0]], zero)
    expect(counts(decisions)).toEqual([1, 1, 0])
    expect(decisions[2]).toMatchObject({ reason: "idle" })
    const busy = run(1, [[0, 3], [2500, 0], [4000, 1], [7500, 0], [9000, 0]], zero)
    // The invocation at 4 s put the idle time back to 0.
    expect(counts(busy)).toEqual([1, 1, 1, 1, 0])
  })

  it("an invocation in flight keeps a function active, though none started", () => {
    const zero = { ...policy, type: "capacity" as const, zero: true, zeroDurationMillis: 5000 }
    let memory: DecisionInput["memory"] = undefined
    for (const now of [0, 5000, 10_000, 15_000]) {
      const decision = decide({ policy: zero, current: 1, load: 1, active: true, now, scaleDownDelayMillis: 0, memory })
      expect(decision.desired).toBe(1)
      memory = decision.memory
    }
  })

  it("the first decision for a function does not take it for idle: it has not been watched yet", () => {
    const zero = { ...policy, zero: true, zeroDurationMillis: 5000 }
    const decision = decide({
      policy: zero,
      current: 2,
      load: 0,
      active: false,
      now: 10 * minute,
      scaleDownDelayMillis: minute,
      memory: undefined
    })
    expect(decision.desired).toBe(2)
  })

  it("at 0 replicas it sleeps: no load, no bounds and no idle time wakes it; an invocation does", () => {
    const zero = { policy: { ...policy, zero: true, min: 2, zeroDurationMillis: 5000 } }
    expect(run(0, [[0, 0], [minute, 0]], zero).map((d) => [d.desired, d.reason])).toEqual([
      [0, undefined],
      [0, undefined]
    ])
  })

  it("a count below min or above max is brought inside at once: bounds", () => {
    const bounded = { policy: { ...policy, min: 2, max: 3 } }
    expect(run(1, [[0, 0]], bounded)[0]).toMatchObject({ desired: 2, reason: "bounds" })
    expect(run(1, [[0, 14]], bounded)[0]).toMatchObject({ desired: 3, reason: "load" })
    const above = run(6, [[0, 0], [30_000, 0], [60_000, 0]], bounded)
    expect(above.map((d) => [d.desired, d.reason])).toEqual([[3, "bounds"], [3, undefined], [2, "load"]])
  })

  it("a count someone else set is taken as it is, and the next decision may move it", () => {
    let memory =
      decide({ policy, current: 1, load: 10, active: true, now: 0, scaleDownDelayMillis: minute, memory: undefined })
        .memory
    expect(memory.count).toBe(3)
    // Someone scaled it to 2 meanwhile: the autoscaler takes 2 as the count.
    const manual = decide({
      policy,
      current: 2,
      load: 10,
      active: true,
      now: 5000,
      scaleDownDelayMillis: minute,
      memory
    })
    expect(manual).toMatchObject({ desired: 2, reason: "manual" })
    memory = manual.memory
    const next = decide({
      policy,
      current: 2,
      load: 10,
      active: true,
      now: 10_000,
      scaleDownDelayMillis: minute,
      memory
    })
    expect(next).toMatchObject({ desired: 3, reason: "load" })
  })

  it("a manual scale counts as use: a function scaled by hand is not idle at once", () => {
    const zero = { ...policy, zero: true, zeroDurationMillis: 5000 }
    const asleep = decide({
      policy: zero,
      current: 0,
      load: 0,
      active: false,
      now: 0,
      scaleDownDelayMillis: 0,
      memory: undefined
    })
    const woken = decide({
      policy: zero,
      current: 1,
      load: 0,
      active: false,
      now: 60_000,
      scaleDownDelayMillis: 0,
      memory: asleep.memory
    })
    expect(woken).toMatchObject({ desired: 1, reason: "manual" })
    const later = decide({
      policy: zero,
      current: 1,
      load: 0,
      active: false,
      now: 62_000,
      scaleDownDelayMillis: 0,
      memory: woken.memory
    })
    expect(later.desired).toBe(1)
    const idle = decide({
      policy: zero,
      current: 1,
      load: 0,
      active: false,
      now: 65_000,
      scaleDownDelayMillis: 0,
      memory: later.memory
    })
    expect(idle).toMatchObject({ desired: 0, reason: "idle" })
  })

  it("zero with min equal to max: the load never moves it, idleness still does", () => {
    const pinned = { policy: { ...policy, min: 3, max: 3, zero: true, zeroDurationMillis: 5000 } }
    expect(run(3, [[0, 100], [2000, 0], [5000, 0]], pinned).map((d) => d.desired)).toEqual([3, 3, 0])
  })

  it("a count that stays keeps its memory as it was while nothing in it moves (waiting to go lower too), and remembers what moved", () => {
    const input = { policy, current: 1, load: 0, scaleDownDelayMillis: minute }
    const first = decide({ ...input, active: true, now: 0, memory: undefined })
    const idle = decide({ ...input, active: false, now: 5000, memory: first.memory })
    expect(idle).toMatchObject({ desired: 1, reason: undefined })
    expect(idle.memory).toBe(first.memory)
    const used = decide({ ...input, load: 1, active: true, now: 10_000, memory: idle.memory })
    expect(used.memory).not.toBe(idle.memory)
    expect(used.memory).toEqual({ count: 1, lowerSince: undefined, highestLower: 0, lastActive: 10_000 })
    const lower = decide({ ...input, current: 2, active: false, now: 15_000, memory: { ...used.memory, count: 2 } })
    expect(lower.memory).toEqual({ count: 2, lowerSince: 15_000, highestLower: 1, lastActive: 10_000 })
    const stillLower = decide({ ...input, current: 2, active: false, now: 20_000, memory: lower.memory })
    expect(stillLower).toMatchObject({ desired: 2, reason: undefined })
    expect(stillLower.memory).toBe(lower.memory)
  })
})
