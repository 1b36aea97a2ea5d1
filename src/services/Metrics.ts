/**
 * What the provider counts and times. Recording is synchronous and must never
 * block or fail: it sits on the invocation hot path.
 */
import { Context } from "effect"
import type { FunctionRef } from "../domain/FunctionName.ts"

/** A gauge computed at scrape time, such as a function's replicas. */
export interface Gauge {
  readonly name: string
  readonly help: string
  readonly labelNames: ReadonlyArray<string>
  readonly samples: ReadonlyArray<{ readonly labels: ReadonlyArray<string>; readonly value: number }>
}

/** The function and namespace label of invocations of no known function; no function or namespace has a `_`. */
export const unknownFunction = "_unknown"

export interface InvocationRecorder {
  /** One proxied invocation finished: any status, the provider's own errors included. */
  readonly record: (status: number, durationMillis: number, method: string) => void
}

/** Why the autoscaler changed a function's count. */
export type AutoscalingReason = "load" | "idle" | "bounds" | "manual"

export interface AutoscalingRecorder {
  /** The autoscaler changed the count (or took someone else's change), for this reason. */
  readonly decided: (reason: AutoscalingReason) => void
  /** What the autoscaler sees now: the count it wants, and the load per replica in the policy's unit. */
  readonly observed: (desiredReplicas: number, loadPerReplica: number) => void
  /** Drops the function's gauges: it is no longer autoscaled here (or this replica no longer decides). */
  readonly clear: () => void
}

export class Metrics extends Context.Service<Metrics, {
  /** A function's recorder; the proxy keeps it with the function's route, so recording costs no lookup. */
  readonly invocations: (ref: FunctionRef) => InvocationRecorder
  /**
   * The recorder of invocations that name no function known to exist (an unknown or malformed name, a lookup
   * that failed): one fixed series, `unknownFunction` as their function and namespace, so no URL becomes a label.
   */
  readonly unknownFunction: InvocationRecorder
  /** Invocations this provider proxied for the function since it started. */
  readonly invocationCount: (ref: FunctionRef) => number
  /** One /system/* request finished; `route` is the templated path. */
  readonly apiRequest: (method: string, route: string, status: number, durationMillis: number) => void
  /** A function's autoscaling series: decisions counted, desired replicas and load per replica. */
  readonly autoscaling: (ref: FunctionRef) => AutoscalingRecorder
  /** Drops a deleted function's series. */
  readonly forget: (ref: FunctionRef) => void
  /** Everything recorded, in Prometheus' text format, with gauges computed by the caller appended. */
  readonly prometheus: (gauges: ReadonlyArray<Gauge>) => string
}>()("faas-nomad/Metrics") {}
