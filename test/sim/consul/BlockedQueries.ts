/**
 * Consul's blocking queries: with `?index=N` the agent holds the request
 * until the result's index passes N, the wait ends (then it answers with the
 * same data and index), or a snapshot restore resets the indexes (then it
 * answers at once, with an index that went backwards).
 */
import type { ServerResponse } from "node:http"

const defaultWaitMs = 5 * 60_000
const maxWaitMs = 10 * 60_000

/** Consul's clamp and default, plus its jitter of up to wait/16. */
export const effectiveWaitMs = (requestedMs: number | undefined): number => {
  const wait = requestedMs === undefined || requestedMs <= 0 ? defaultWaitMs : Math.min(requestedMs, maxWaitMs)
  return wait + Math.random() * (wait / 16)
}

interface Parked {
  readonly wake: (restored: boolean) => void
  readonly cancel: () => void
}

export class BlockedQueries {
  private readonly parked = new Set<Parked>()
  private readonly waiters = new Set<() => void>()

  /** Queries held right now. */
  get count(): number {
    return this.parked.size
  }

  /**
   * Answers at once when not blocking (`minIndex` 0) or already newer;
   * otherwise re-runs `query` on every change. Undefined when the client left.
   */
  run<A extends { readonly index: number }>(
    minIndex: number,
    waitMs: number,
    query: () => A,
    response: ServerResponse
  ): Promise<A | undefined> {
    const first = query()
    if (minIndex === 0 || first.index > minIndex) return Promise.resolve(first)
    return new Promise((resolve) => {
      const finish = (answer: A | undefined) => {
        this.parked.delete(parked)
        clearTimeout(timer)
        response.off("close", onClose)
        resolve(answer)
      }
      const onClose = () => finish(undefined)
      const parked: Parked = {
        wake: (restored) => {
          const answer = query()
          if (restored || answer.index > minIndex) finish(answer)
        },
        cancel: () => finish(undefined)
      }
      const timer = setTimeout(() => finish(query()), waitMs)
      response.on("close", onClose)
      this.parked.add(parked)
      for (const waiter of this.waiters) waiter()
    })
  }

  /** Re-runs every held query after a write. */
  notify(restored: boolean): void {
    for (const parked of [...this.parked]) parked.wake(restored)
  }

  /** Resolves once at least `count` queries are held: lets a test act only after its client is waiting. */
  untilBlocked(count = 1): Promise<void> {
    if (this.parked.size >= count) return Promise.resolve()
    return new Promise((resolve) => {
      const waiter = () => {
        if (this.parked.size < count) return
        this.waiters.delete(waiter)
        resolve()
      }
      this.waiters.add(waiter)
    })
  }

  /** Drops every held query without answering; their timers no longer keep the process alive. */
  close(): void {
    for (const parked of [...this.parked]) parked.cancel()
  }
}
