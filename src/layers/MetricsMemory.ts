/** Metrics kept in process: invocation counts for `invocationCount`, nothing exported. */
import { Layer } from "effect"
import { type FunctionRef, refKey } from "../domain/FunctionName.ts"
import { type InvocationRecorder, Metrics } from "../services/Metrics.ts"

interface Counter extends InvocationRecorder {
  count: number
}

/** Per-function invocation counters, each kept by the caller that records into it. */
export const makeInvocationCounters = () => {
  const counters = new Map<string, Counter>()
  return {
    counter: (ref: FunctionRef): Counter => {
      const key = refKey(ref)
      let counter = counters.get(key)
      if (counter === undefined) {
        const created: Counter = {
          count: 0,
          record: () => {
            created.count++
          }
        }
        counters.set(key, counter = created)
      }
      return counter
    },
    count: (ref: FunctionRef) => counters.get(refKey(ref))?.count ?? 0,
    forget: (ref: FunctionRef) => {
      counters.delete(refKey(ref))
    }
  }
}

export const MetricsMemory: Layer.Layer<Metrics> = Layer.sync(Metrics, () => {
  const counters = makeInvocationCounters()
  return Metrics.of({
    invocations: counters.counter,
    invocationCount: counters.count,
    apiRequest: () => {},
    forget: counters.forget
  })
})
