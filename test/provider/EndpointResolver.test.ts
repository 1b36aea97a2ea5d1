/** The resolver's idle sweep, on the test clock: a watch unused for ten minutes stops; use keeps it. */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import type { FunctionRef } from "../../src/domain/FunctionName.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { Discovery, type Endpoint } from "../../src/services/Discovery.ts"

const ref = { name: "idle", namespace: "default" } as FunctionRef
const endpoints: ReadonlyArray<Endpoint> = [{ id: "i1", address: "10.0.0.1", port: 8080, tags: [] }]

/** A discovery that answers at once and then holds the watch open, counting the watches running. */
const fakeDiscovery = () => {
  const running = { count: 0 }
  const discovery = Discovery.of({
    watch: () =>
      Stream.concat(Stream.make(endpoints), Stream.never).pipe(
        Stream.onStart(Effect.sync(() => running.count++)),
        Stream.ensuring(Effect.sync(() => running.count--))
      ),
    readyCounts: () => Effect.succeed(new Map())
  })
  return { running, discovery }
}

/** The resolver, built on the test clock, over the fake discovery. */
const withResolver = <A, E>(
  body: (running: { readonly count: number }) => Effect.Effect<A, E, EndpointResolver>
) => {
  const { discovery, running } = fakeDiscovery()
  return body(running).pipe(
    Effect.provide(
      EndpointResolver.layer.pipe(
        Layer.provide(Layer.succeed(Discovery, discovery)),
        Layer.provide(ProviderConfig.layerFromEnv({}))
      )
    )
  )
}

describe("the endpoint resolver's idle sweep", () => {
  it.effect("stops watching a function nobody used for ten minutes", () =>
    withResolver((running) =>
      Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const entry = yield* resolver.entry(ref)
        assert.strictEqual(running.count, 1)
        yield* TestClock.adjust("10 minutes")
        assert.strictEqual(resolver.peek("default/idle"), entry, "ten minutes is not yet longer than ten minutes")
        yield* TestClock.adjust("1 minute")
        assert.isUndefined(resolver.peek("default/idle"))
        assert.isFalse(entry.active, "whoever holds the entry sees it is no longer watched")
        assert.strictEqual(running.count, 0, "the discovery watch stopped")
      })
    ))

  it.effect("keeps a function watched while invocations or lookups use it", () =>
    withResolver((running) =>
      Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const entry = yield* resolver.entry(ref)
        for (let minute = 0; minute < 30; minute += 5) {
          yield* TestClock.adjust("5 minutes")
          // As the proxy's fast path does: pick an instance, at the time the clock says.
          assert.strictEqual(entry.balancer.pick(yield* Clock.currentTimeMillis)?.id, "i1")
        }
        yield* TestClock.adjust("9 minutes")
        yield* resolver.entry(ref)
        yield* TestClock.adjust("9 minutes")
        assert.strictEqual(resolver.peek("default/idle"), entry)
        assert.strictEqual(running.count, 1)
        yield* TestClock.adjust("2 minutes")
        assert.isUndefined(resolver.peek("default/idle"))
      })
    ))

  it.effect("does not stop a watch while an invocation is in flight, however long it takes", () =>
    withResolver((running) =>
      Effect.gen(function*() {
        const resolver = yield* EndpointResolver
        const entry = yield* resolver.entry(ref)
        entry.balancer.started(0)
        yield* TestClock.adjust("1 hour")
        assert.strictEqual(resolver.peek("default/idle"), entry)
        entry.balancer.finished(1)
        yield* TestClock.adjust("1 minute")
        assert.isUndefined(resolver.peek("default/idle"))
        assert.strictEqual(running.count, 0)
      })
    ))
})
