/**
 * What the provider counts and times. Calls are synchronous and must never
 * block or fail: they sit on the invocation hot path.
 */
import { Context } from "effect"
import type { FunctionRef } from "../domain/FunctionName.ts"

export class Metrics extends Context.Service<Metrics, {
  /** One proxied invocation finished (any status, including provider errors). */
  readonly invocation: (ref: FunctionRef, status: number, durationMillis: number) => void
  /** Invocations this provider proxied for the function since it started. */
  readonly invocationCount: (ref: FunctionRef) => number
  /** One /system/* request finished; `route` is the templated path. */
  readonly apiRequest: (method: string, route: string, status: number, durationMillis: number) => void
  /** Drops a deleted function's series. */
  readonly forget: (ref: FunctionRef) => void
}>()("faas-nomad/Metrics") {}
