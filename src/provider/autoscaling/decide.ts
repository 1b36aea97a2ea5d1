/**
 * One autoscaling decision for one function, pure: from its policy, the
 * count Nomad runs, the load summed over every provider replica and what
 * was remembered from the decisions before, the count it should have and
 * why. Times are milliseconds on the deciding replica's clock.
 *
 * - desired = ceil(load / (target × proportion)), within [min, max];
 * - more replicas at once; fewer only once the lower desire has lasted the
 *   scale-down delay, and then the highest desire seen meanwhile, so a dip
 *   does not make it flap;
 * - a count outside [min, max] is brought inside at once (`bounds`);
 * - with `zero`, no invocation for `zero-duration` takes it to 0 (`idle`);
 *   at 0 it sleeps until an invocation wakes it (scale from zero);
 * - a count the autoscaler did not set (a manual scale, or a wake) is taken
 *   as the new current count (`manual`); the next decision may move it.
 */
import type { ScalingPolicy } from "../../jobs/scalingPolicy.ts"

export type DecisionReason = "load" | "idle" | "bounds" | "manual"

/** What the autoscaler keeps of a function between two decisions. */
export interface ScalingMemory {
  /** The count as of the last decision: a different one now was set by someone else. */
  readonly count: number
  /** Since when the desire has stayed below the count, if it has. */
  readonly lowerSince: number | undefined
  /** The highest desire seen since `lowerSince`. */
  readonly highestLower: number
  /** When an invocation last started or was in flight. */
  readonly lastActive: number
}

export interface DecisionInput {
  readonly policy: ScalingPolicy
  /** The count Nomad has been asked for. */
  readonly current: number
  /** In the policy's unit, summed over provider replicas: requests per second, invocations in flight, millicores. */
  readonly load: number
  /** Whether an invocation started or was in flight since the last decision. */
  readonly active: boolean
  readonly now: number
  readonly scaleDownDelayMillis: number
  /** Undefined the first time this replica decides for the function. */
  readonly memory: ScalingMemory | undefined
}

export interface Decision {
  /** The count to ask for; the current one when nothing changes. */
  readonly desired: number
  /** Why the count changes (or, for `manual`, changed); undefined when it stays. */
  readonly reason: DecisionReason | undefined
  /** What to remember once `desired` is what Nomad runs. */
  readonly memory: ScalingMemory
}

/** Replicas the load asks for, before bounds: 0 for no load. */
export const replicasFor = (policy: ScalingPolicy, load: number): number =>
  load > 0 && Number.isFinite(load) ? Math.ceil(load / (policy.target * policy.targetProportion)) : 0

const clamp = (n: number, low: number, high: number) => Math.min(high, Math.max(low, n))

/**
 * What to remember: the memory as it was when nothing in it moved (a function decided again every interval with
 * nothing new allocates no memory), a new one otherwise.
 */
const remember = (
  memory: ScalingMemory | undefined,
  count: number,
  lowerSince: number | undefined,
  highestLower: number,
  lastActive: number
): ScalingMemory =>
  memory !== undefined && memory.count === count && memory.lowerSince === lowerSince &&
    memory.highestLower === highestLower && memory.lastActive === lastActive
    ? memory
    : { count, lowerSince, highestLower, lastActive }

/** A decision that leaves nothing waiting: `count`, and a memory with no lower desire pending. */
const settledAt = (
  input: DecisionInput,
  lastActive: number,
  count: number,
  reason: DecisionReason | undefined
): Decision => ({ desired: count, reason, memory: remember(input.memory, count, undefined, 0, lastActive) })

export const decide = (input: DecisionInput): Decision => {
  const { current, now, policy } = input
  const lastActive = input.active || input.memory === undefined ? now : input.memory.lastActive

  // Someone else set the count: take it as it is, as if the function had just been used.
  if (input.memory !== undefined && input.memory.count !== current) {
    return {
      desired: current,
      reason: "manual",
      memory: { count: current, lowerSince: undefined, highestLower: 0, lastActive: now }
    }
  }
  // Asleep: only an invocation wakes it, through scale from zero.
  if (current === 0) return settledAt(input, lastActive, 0, undefined)
  if (policy.zero && now - lastActive >= policy.zeroDurationMillis) return settledAt(input, lastActive, 0, "idle")

  const wanted = clamp(replicasFor(policy, input.load), policy.min, policy.max)
  if (current < policy.min || current > policy.max) {
    const inside = clamp(current, policy.min, policy.max)
    const desired = current < policy.min ? Math.max(inside, wanted) : inside
    const decision = settledAt(input, lastActive, desired, desired === inside ? "bounds" : "load")
    // Above max, the bound is met at once; a lower desire still waits its delay from now.
    return wanted < desired
      ? { ...decision, memory: { ...decision.memory, lowerSince: now, highestLower: wanted } }
      : decision
  }
  if (wanted >= current) return settledAt(input, lastActive, wanted, wanted > current ? "load" : undefined)

  const lowerSince = input.memory?.lowerSince ?? now
  const highestLower = input.memory?.lowerSince === undefined ? wanted : Math.max(input.memory.highestLower, wanted)
  if (now - lowerSince >= input.scaleDownDelayMillis) return settledAt(input, lastActive, highestLower, "load")
  return {
    desired: current,
    reason: undefined,
    memory: remember(input.memory, current, lowerSince, highestLower, lastActive)
  }
}
