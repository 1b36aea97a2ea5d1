/**
 * Which provider replica runs the autoscaler: exactly one at a time. The
 * lease is held where the replicas can all see it (a Nomad Variable lock),
 * or, with one replica, always here.
 */
import { Context, type Effect, type Scope } from "effect"

export class Leadership extends Context.Service<Leadership, {
  /**
   * Runs `lead` each time this replica wins the lease, in a scope of its own, and interrupts it (closing the
   * scope) as soon as the lease is lost or given up. Never ends by itself; interrupting it gives the lease up.
   */
  readonly whileLeader: <R>(lead: Effect.Effect<void, never, R | Scope.Scope>) => Effect.Effect<never, never, R>
}>()("faas-nomad/Leadership") {}
