/** Metrics kept in process: invocation counts for `invocationCount`, nothing exported. */
import { Layer } from "effect"
import { type FunctionRef, refKey } from "../domain/FunctionName.ts"
import { Metrics } from "../services/Metrics.ts"

export const makeInvocationCounts = () => {
  const counts = new Map<string, number>()
  return {
    increment: (ref: FunctionRef) => {
      const k = refKey(ref)
      counts.set(k, (counts.get(k) ?? 0) + 1)
    },
    get: (ref: FunctionRef) => counts.get(refKey(ref)) ?? 0,
    forget: (ref: FunctionRef) => {
      counts.delete(refKey(ref))
    }
  }
}

export const MetricsMemory: Layer.Layer<Metrics> = Layer.sync(Metrics, () => {
  const counts = makeInvocationCounts()
  return Metrics.of({
    invocation: (ref) => counts.increment(ref),
    invocationCount: counts.get,
    apiRequest: () => {},
    forget: counts.forget
  })
})
