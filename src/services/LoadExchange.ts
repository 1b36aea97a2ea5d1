/**
 * How provider replicas share the load each one proxied, so the one that
 * decides sees their sum: each publishes its latest window, and the leader
 * collects the other live replicas' latest.
 */
import { Context, type Effect } from "effect"
import type { UpstreamError } from "../domain/errors.ts"

/** One function's load over a window, as one provider replica proxied it. */
export interface FunctionLoad {
  /** Invocations started per second. */
  readonly rps: number
  /** Invocations in flight, on average over the window (time-weighted). */
  readonly inflight: number
}

/** A replica's load over its last window, by function (`namespace/name`); functions without load are left out. */
export type LoadWindow = ReadonlyMap<string, FunctionLoad>

export class LoadExchange extends Context.Service<LoadExchange, {
  /** Makes this replica's latest window the one the leader sees. */
  readonly publish: (window: LoadWindow) => Effect.Effect<void, UpstreamError>
  /** The latest window of every other replica still publishing. */
  readonly peers: Effect.Effect<ReadonlyArray<LoadWindow>, UpstreamError>
}>()("faas-nomad/LoadExchange") {}
