/**
 * The simulator's clock. It stands still until a test moves it, so token TTLs, version deletion
 * times and `created_time` values are exact and tests never sleep.
 */
export class SimClock {
  private epochMs: number

  constructor(start: Date) {
    this.epochMs = start.getTime()
  }

  /** Milliseconds since the Unix epoch. */
  now(): number {
    return this.epochMs
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`the clock only moves forward (got ${seconds})`)
    this.epochMs += Math.round(seconds * 1000)
  }
}
