/**
 * Full function jobs, kept while their JobModifyIndex is unchanged: a list
 * reads in full only the jobs that changed since the last one, so listing
 * costs one Nomad call however many functions there are.
 */
import { Effect, Option } from "effect"
import type { Job } from "../nomad/Job.ts"

export class JobCache {
  /** By `namespace/ID`. */
  readonly #jobs = new Map<string, Job>()

  /** The job as of `jobModifyIndex`: the one kept when it is that version, else what `read` answers, kept. */
  get<E, R>(
    namespace: string,
    id: string,
    jobModifyIndex: number,
    read: Effect.Effect<Option.Option<Job>, E, R>
  ): Effect.Effect<Option.Option<Job>, E, R> {
    const key = `${namespace}/${id}`
    const kept = this.#jobs.get(key)
    if (kept !== undefined && kept.JobModifyIndex === jobModifyIndex) return Effect.succeed(Option.some(kept))
    return Effect.tap(read, (job) =>
      Effect.sync(() => {
        if (Option.isSome(job)) this.#jobs.set(key, job.value)
      }))
  }

  /** Drops the namespace's jobs that are no longer listed. */
  retain(namespace: string, listed: ReadonlySet<string>): void {
    for (const key of this.#jobs.keys()) {
      if (key.startsWith(`${namespace}/`) && !listed.has(key.slice(namespace.length + 1))) this.#jobs.delete(key)
    }
  }

  forget(namespace: string, id: string): void {
    this.#jobs.delete(`${namespace}/${id}`)
  }
}
