/**
 * A HashiCorp blocking query as a stream: ask with the last index seen, get
 * an answer when something changed or the wait ran out, and emit only what
 * is new. An index that goes backwards (a snapshot restore, a new leader)
 * starts over from 0, as Consul and Nomad document.
 */
import { Effect, Option, Stream } from "effect"
import type { UpstreamError } from "../../domain/errors.ts"

export interface IndexedAnswer<A> {
  /** `X-Consul-Index` or `X-Nomad-Index`. */
  readonly index: number
  readonly value: A
}

interface WatchState {
  readonly index: number
  readonly last: string | undefined
}

/** Between two queries of one watch, so a storm of changes cannot become a tight loop. */
const pause = Effect.sleep("25 millis")

export const blockingWatch = <A>(
  query: (index: number) => Effect.Effect<IndexedAnswer<A>, UpstreamError>,
  /** What identifies a value: equal identities are not emitted twice. */
  identity: (value: A) => string
): Stream.Stream<A, UpstreamError> =>
  Stream.paginate<WatchState, A, UpstreamError>({ index: 0, last: undefined }, (state) =>
    Effect.gen(function*() {
      if (state.index > 0) yield* pause
      const answer = yield* query(state.index)
      const index = answer.index < state.index ? 0 : Math.max(answer.index, 1)
      const id = identity(answer.value)
      const next = Option.some({ index, last: id })
      return id === state.last ? [[], next] as const : [[answer.value], next] as const
    }))

/** The wait to ask for and the deadline to give the HTTP call: the wait plus Consul's jitter (wait/16) and slack. */
export const blockingDeadline = (waitSeconds: number, slackMillis: number) => waitSeconds * 1000 * (17 / 16) + slackMillis
