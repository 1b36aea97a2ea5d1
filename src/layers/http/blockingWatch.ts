/**
 * A HashiCorp blocking query as a stream: ask with the last index seen, get
 * an answer when something changed or the wait ran out, and emit only what
 * is new. An index that goes backwards (a snapshot restore, a new leader)
 * starts over from 0, as Consul and Nomad document.
 */
import { Duration, Effect, Option, Stream } from "effect"
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
const defaultPause = Duration.millis(25)

export const blockingWatch = <A>(
  query: (index: number) => Effect.Effect<IndexedAnswer<A>, UpstreamError>,
  /** What identifies a value: equal identities are not emitted twice. */
  identity: (value: A) => string,
  /** The least time between two queries: a large answer asked for in a storm of changes costs at most this often. */
  pause: Duration.Duration = defaultPause
): Stream.Stream<A, UpstreamError> =>
  Stream.paginate<WatchState, A, UpstreamError>({ index: 0, last: undefined }, (state) =>
    Effect.gen(function*() {
      if (state.index > 0) yield* Effect.sleep(pause)
      const answer = yield* query(state.index)
      const index = answer.index < state.index ? 0 : Math.max(answer.index, 1)
      const id = identity(answer.value)
      const next = Option.some({ index, last: id })
      return id === state.last ? [[], next] as const : [[answer.value], next] as const
    }))

/** How long one blocking query waits for a change before the server answers anyway. */
const waitSeconds = 300

/** The query parameters that make a query after `index` block; none for the first, which answers at once. */
export const blockingParams = (index: number): Record<string, string> =>
  index > 0 ? { index: String(index), wait: `${waitSeconds}s` } : {}

/**
 * The deadline of a blocking query's HTTP call: the wait plus the server's jitter (wait/16) and `slackMillis`;
 * undefined, the client's usual timeout, for a first query.
 */
export const blockingTimeout = (index: number, slackMillis: number): Duration.Duration | undefined =>
  index > 0 ? Duration.millis(waitSeconds * 1000 * (17 / 16) + slackMillis) : undefined
