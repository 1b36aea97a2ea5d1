/**
 * What the in-memory cluster does when a task dies or fails to start, as a Nomad client and scheduler do: the
 * group's restart policy restarts it in place after `Delay`, up to `Attempts` times within `Interval`; past that,
 * mode "delay" waits for the interval to end and goes on, and mode "fail" fails the allocation. A failed
 * allocation is replaced after the reschedule delay of a service job (30 s, doubling, at most an hour). Pure, and
 * in nanoseconds, as Nomad writes durations.
 */
import type { RestartPolicy } from "../../nomad/Job.ts"

const second = 1_000_000_000

/** Nomad's restart policy for a service job that sets none. */
export const serviceRestartDefaults = { Attempts: 2, Interval: 30 * 60 * second, Delay: 15 * second, Mode: "fail" }

/** Nomad's reschedule policy for a service job: exponential from 30 s, at most an hour, unlimited. */
const rescheduleDelayBase = 30 * second
const rescheduleDelayMax = 60 * 60 * second

/** The current interval of a task's restarts: when it began, and how many restarts it has seen. */
export interface RestartWindow {
  readonly startedAt: number
  readonly count: number
}

export type RestartDecision =
  | { readonly _tag: "Restart"; readonly delay: number; readonly window: RestartWindow }
  | { readonly _tag: "Fail"; readonly reason: string }

/** `300000000000` as Go prints a duration: `5m0s`. */
export const goDuration = (nanos: number): string => {
  let seconds = Math.round(nanos / second)
  const hours = Math.floor(seconds / 3600)
  seconds -= hours * 3600
  const minutes = Math.floor(seconds / 60)
  seconds -= minutes * 60
  return hours > 0 ? `${hours}h${minutes}m${seconds}s` : minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`
}

/** Whether, and after how long, a task that ended at `now` restarts; Nomad's restart tracker, without jitter. */
export const nextRestart = (
  policy: RestartPolicy | null | undefined,
  window: RestartWindow,
  now: number
): RestartDecision => {
  const attempts = policy?.Attempts ?? serviceRestartDefaults.Attempts
  const interval = policy?.Interval ?? serviceRestartDefaults.Interval
  const delay = policy?.Delay ?? serviceRestartDefaults.Delay
  const mode = policy?.Mode ?? serviceRestartDefaults.Mode
  const end = window.startedAt + interval
  if (now > end) return { _tag: "Restart", delay, window: { startedAt: now, count: 0 } }
  const count = window.count + 1
  if (count <= attempts) return { _tag: "Restart", delay, window: { startedAt: window.startedAt, count } }
  if (mode === "fail") {
    return {
      _tag: "Fail",
      reason: `Exceeded allowed attempts ${attempts} in interval ${goDuration(interval)} and mode is "fail"`
    }
  }
  // Mode "delay": wait for the interval to end, then start a new one.
  return { _tag: "Restart", delay: end - now, window: { startedAt: end, count: 0 } }
}

/** How long a failed allocation waits for its replacement, when `times` allocations before it were replaced. */
export const rescheduleDelay = (times: number): number =>
  Math.min(rescheduleDelayBase * 2 ** Math.min(times, 32), rescheduleDelayMax)
