/**
 * One function's instances as invocations use them: taken in turn, an
 * instance that refused a connection left out for a while, invocations in
 * flight counted, and the time the function was last used, which decides
 * when its watch stops. Synchronous and allocation-free: the proxy's hot path
 * calls it on every invocation, outside Effect. Times are milliseconds since
 * the epoch, read from the caller's clock.
 *
 * It also measures the function's load for the autoscaler, at the cost of a
 * few additions per invocation: invocations started, and the integral of
 * invocations in flight over time, from the times the proxy already reads
 * to time each invocation (its monotonic `performance.now()`), so the mean
 * concurrency of a window is exact, long invocations included.
 */
import type { Endpoint } from "../services/Discovery.ts"

/** How long an instance that refused a connection is left out. */
const suspectMillis = 10_000

export class LoadBalancer {
  #endpoints: ReadonlyArray<Endpoint> = []
  #turn = 0
  /** Instances that refused a connection, left out until the time given. */
  readonly #suspects = new Map<string, number>()
  #inflight = 0
  #lastUsed: number
  /** Invocations started since the load was last taken. */
  #startedCount = 0
  /** Invocations in flight × milliseconds since the load was last taken, and when that was last added up. */
  #busy = 0
  #busySince = 0

  constructor(now: number) {
    this.#lastUsed = now
  }

  /** The ready instances, as discovery last listed them. */
  get endpoints(): ReadonlyArray<Endpoint> {
    return this.#endpoints
  }

  /** Invocations sent and not finished. */
  get inflight(): number {
    return this.#inflight
  }

  /** When an invocation or a lookup last used the function. */
  get lastUsed(): number {
    return this.#lastUsed
  }

  /** Discovery's latest answer; suspects no longer listed are forgotten. */
  replace(endpoints: ReadonlyArray<Endpoint>): void {
    this.#endpoints = endpoints
    for (const id of this.#suspects.keys()) if (!endpoints.some((e) => e.id === id)) this.#suspects.delete(id)
  }

  /** A lookup used the function. */
  touch(now: number): void {
    this.#lastUsed = now
  }

  /** The next instance in turn, skipping suspects unless every one is suspect; an invocation uses the function. */
  pick(now: number): Endpoint | undefined {
    this.#lastUsed = now
    const endpoints = this.#endpoints
    const n = endpoints.length
    if (n === 0) return undefined
    for (let i = 0; i < n; i++) {
      const candidate = endpoints[(this.#turn++ & 0x7fffffff) % n]!
      if (this.#suspects.size === 0) return candidate
      const until = this.#suspects.get(candidate.id)
      if (until === undefined || until <= now) return candidate
    }
    return endpoints[(this.#turn++ & 0x7fffffff) % n]
  }

  /** The instance refused a connection: nothing reached it, and the next invocations go elsewhere for a while. */
  suspect(endpointId: string, now: number): void {
    this.#suspects.set(endpointId, now + suspectMillis)
  }

  /** An invocation was sent to an instance at `at`, on the proxy's monotonic clock. */
  started(at: number): void {
    this.#busy += this.#inflight * (at - this.#busySince)
    this.#busySince = at
    this.#inflight++
    this.#startedCount++
  }

  /** An invocation ended at `at`, however it ended. */
  finished(at: number): void {
    this.#busy += this.#inflight * (at - this.#busySince)
    this.#busySince = at
    this.#inflight--
  }

  /**
   * The load since the last call, which starts a new window: invocations started, and invocations in flight
   * integrated over time up to `at` (on the proxy's monotonic clock), in invocation-milliseconds.
   */
  takeLoad(at: number): { readonly started: number; readonly busyMillis: number; readonly inflight: number } {
    const busyMillis = this.#busy + this.#inflight * (at - this.#busySince)
    const started = this.#startedCount
    this.#busy = 0
    this.#busySince = at
    this.#startedCount = 0
    return { started, busyMillis, inflight: this.#inflight }
  }

  /** Nothing in flight, and unused for longer than `idleMillis`. */
  idle(now: number, idleMillis: number): boolean {
    return this.#inflight === 0 && now - this.#lastUsed > idleMillis
  }
}
