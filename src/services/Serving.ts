/**
 * Whether the provider serves requests yet. Work that speaks for the provider
 * in the cluster (the autoscaler seeking its lease) waits for it, so a start
 * that fails (a port in use) leads nothing and ends with its one line.
 * Optional: where it is not provided (an app embedding the provider, a test),
 * nothing waits.
 */
import { Context, Deferred, Effect, Layer } from "effect"

export class Serving extends Context.Service<Serving, {
  /** Resolves once the provider listens. */
  readonly started: Effect.Effect<void>
  /** Says that the provider listens. */
  readonly markStarted: Effect.Effect<void>
}>()("faas-nomad/Serving") {
  static readonly layer = Layer.effect(
    Serving,
    Effect.map(Deferred.make<void>(), (started) =>
      Serving.of({
        started: Deferred.await(started),
        markStarted: Effect.asVoid(Deferred.succeed(started, undefined))
      }))
  )
}

/** Waits until the provider serves, when something says when it does. */
export const whenServing: Effect.Effect<void> = Effect.flatMap(
  Effect.serviceOption(Serving),
  (serving) => serving._tag === "Some" ? serving.value.started : Effect.void
)
