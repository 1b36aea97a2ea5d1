/**
 * Where to send an invocation, answered from memory. The first request for a
 * function starts a watch on its discovery; afterwards invocations cost no
 * discovery request at all. When discovery fails, the last endpoints known
 * keep serving (stale beats down) while the watch retries with backoff. An
 * entry unused for a while stops watching; a deleted function is forgotten.
 */
import { Clock, Context, Deferred, Duration, Effect, Fiber, Layer, Schedule, Stream, type Types } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { UpstreamError } from "../domain/errors.ts"
import { type FunctionRef, refKey } from "../domain/FunctionName.ts"
import { proxySettingsFromTags } from "../jobs/proxySettings.ts"
import { Discovery } from "../services/Discovery.ts"
import { LoadBalancer } from "./LoadBalancer.ts"

/** One watched function: what discovery last said of it, and its instances. Only the resolver updates it. */
export interface ResolverEntry {
  readonly ref: FunctionRef
  /** False once the function is forgotten or its watch stopped: holders of the entry must look it up again. */
  readonly active: boolean
  /** Discovery has answered at least once. */
  readonly known: boolean
  /** The watch's last failure, cleared by its next answer. */
  readonly error: UpstreamError | undefined
  /** From the instances' tags: the function's own timeout and concurrency cap, when it sets them. */
  readonly timeoutMillis: number | undefined
  readonly maxInflight: number | undefined
  /** The ready instances and their use: the proxy picks from it synchronously. */
  readonly balancer: LoadBalancer
}

interface WatchedFunction extends Types.Mutable<ResolverEntry> {
  /** Completed and replaced on every change: what waiters wait on. */
  changed: Deferred.Deferred<void>
}

/** A watch unused for this long stops. */
const idleMillis = 10 * 60_000

/** Backoff from 200 ms doubling up to 10 s between tries, for as long as discovery fails. */
const retryWatch = Schedule.min([Schedule.exponential("200 millis", 2), Schedule.spaced("10 seconds")]).pipe(
  Schedule.jittered
)

export class EndpointResolver extends Context.Service<EndpointResolver, {
  /** The entry if the function is watched; synchronous, and not counted as a use. */
  readonly peek: (key: string) => ResolverEntry | undefined
  /** Every watched function's entry, as `peek` sees them: where the autoscaler reads this replica's load. */
  readonly watched: () => Iterable<ResolverEntry>
  /** The entry, starting the watch and waiting for discovery's first answer if needed. */
  readonly entry: (ref: FunctionRef) => Effect.Effect<ResolverEntry, UpstreamError>
  /** Waits until the function has a ready endpoint or `deadline` passes; answers what there is then. */
  readonly awaitReady: (ref: FunctionRef, deadline: Duration.Duration) => Effect.Effect<ResolverEntry, UpstreamError>
  /** Stops watching a function and drops what was known of it. */
  readonly forget: (ref: FunctionRef) => Effect.Effect<void>
}>()("faas-nomad/EndpointResolver") {
  static readonly layer = Layer.effect(
    EndpointResolver,
    Effect.gen(function*() {
      const discovery = yield* Discovery
      const config = yield* ProviderConfig
      const scope = yield* Effect.scope
      // Read synchronously, as the proxy reads it: the same clock stamps and sweeps, and TestClock drives both.
      const clock = yield* Clock.Clock
      const now = () => clock.currentTimeMillisUnsafe()
      const entries = new Map<string, WatchedFunction>()
      const watches = new Map<string, Fiber.Fiber<unknown, unknown>>()

      const announce = (entry: WatchedFunction) => {
        const previous = entry.changed
        entry.changed = Deferred.makeUnsafe<void>()
        Deferred.doneUnsafe(previous, Effect.void)
      }

      const watch = (entry: WatchedFunction) =>
        discovery.watch(entry.ref).pipe(
          Stream.runForEach((endpoints) =>
            Effect.sync(() => {
              entry.balancer.replace(endpoints)
              entry.known = true
              entry.error = undefined
              const settings = proxySettingsFromTags(endpoints[0]?.tags ?? [])
              entry.timeoutMillis = settings.timeoutMillis
              entry.maxInflight = settings.maxInflight
              announce(entry)
            })
          ),
          Effect.tapError((error) =>
            Effect.sync(() => {
              entry.error = error
              announce(entry)
            })
          ),
          Effect.retry(retryWatch),
          Effect.forkIn(scope)
        )

      const start = Effect.fnUntraced(function*(ref: FunctionRef) {
        const key = refKey(ref)
        const existing = entries.get(key)
        if (existing !== undefined) return existing
        const entry: WatchedFunction = {
          ref,
          active: true,
          known: false,
          error: undefined,
          timeoutMillis: undefined,
          maxInflight: undefined,
          balancer: new LoadBalancer(now()),
          changed: Deferred.makeUnsafe<void>()
        }
        entries.set(key, entry)
        watches.set(key, yield* watch(entry))
        return entry
      })

      const firstAnswerWithin = config.apiTimeout

      const entry = Effect.fnUntraced(function*(ref: FunctionRef) {
        const found = yield* start(ref)
        found.balancer.touch(now())
        while (!found.known) {
          if (found.error !== undefined) return yield* Effect.fail(found.error)
          const answered = yield* Deferred.await(found.changed).pipe(Effect.timeoutOption(firstAnswerWithin))
          if (answered._tag === "None") break
        }
        if (!found.known) {
          // Discovery has not answered: say so, naming it, rather than take silence for "no instance".
          return yield* Effect.fail(
            found.error ?? new UpstreamError({
              dependency: config.serviceDiscovery,
              reason: "Timeout",
              message: `no answer about ${found.ref.name}.${found.ref.namespace} within ${
                Duration.format(firstAnswerWithin)
              }`
            })
          )
        }
        return found
      })

      const awaitReady = Effect.fnUntraced(function*(ref: FunctionRef, deadline: Duration.Duration) {
        const found = yield* entry(ref)
        const until = now() + Duration.toMillis(deadline)
        while (found.balancer.endpoints.length === 0) {
          const left = until - now()
          if (left <= 0) break
          const changed = yield* Deferred.await(found.changed).pipe(Effect.timeoutOption(Duration.millis(left)))
          if (changed._tag === "None") break
        }
        return found
      })

      const forget = (ref: FunctionRef) =>
        Effect.suspend(() => {
          const key = refKey(ref)
          const fiber = watches.get(key)
          const found = entries.get(key)
          if (found !== undefined) found.active = false
          entries.delete(key)
          watches.delete(key)
          return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
        })

      // Unused watches stop, so a provider that saw many functions once does not hold a query open for each.
      yield* Effect.gen(function*() {
        const at = now()
        for (const found of entries.values()) {
          if (found.balancer.idle(at, idleMillis)) yield* forget(found.ref)
        }
      }).pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.forkIn(scope))

      return EndpointResolver.of({
        peek: (key) => entries.get(key),
        watched: () => entries.values(),
        entry,
        awaitReady,
        forget
      })
    })
  )
}
