/**
 * This replica's load per function over a window, taken from the load
 * balancers the proxy already counts in: invocations started per second
 * (the window measured on Effect's clock, which tests drive), and the
 * time-weighted mean of invocations in flight (measured on the proxy's own
 * monotonic clock, `performance.now()`, the one its counts were taken on, so
 * that the ratio is exact whatever the window). Each reading starts a new
 * window; a function without invocations in it is left out.
 */
import { refKey } from "../../domain/FunctionName.ts"
import type { FunctionLoad, LoadWindow } from "../../services/LoadExchange.ts"
import type { EndpointResolver } from "../EndpointResolver.ts"

export type LoadMeter = (now: number) => LoadWindow

/** A meter over `resolver`'s watched functions whose first window starts at `start` (milliseconds, Effect's clock). */
export const makeLoadMeter = (resolver: EndpointResolver["Service"], start: number): LoadMeter => {
  let windowStart = start
  let proxyClockStart = performance.now()
  return (now) => {
    const proxyClockNow = performance.now()
    const seconds = Math.max(now - windowStart, 1) / 1000
    const proxyMillis = proxyClockNow - proxyClockStart
    const window = new Map<string, FunctionLoad>()
    for (const entry of resolver.watched()) {
      const { busyMillis, inflight, started } = entry.balancer.takeLoad(proxyClockNow)
      if (started === 0 && busyMillis <= 0 && inflight === 0) continue
      window.set(refKey(entry.ref), {
        rps: started / seconds,
        inflight: proxyMillis > 0 ? busyMillis / proxyMillis : inflight
      })
    }
    windowStart = now
    proxyClockStart = proxyClockNow
    return window
  }
}
