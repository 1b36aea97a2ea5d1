/**
 * Where a function's ready instances are: Consul's health API, Nomad's native
 * services, or the in-memory catalog. An endpoint listed here would serve a
 * request now. Discovery is watched, not asked per request: `watch` answers
 * at once and then again on every change, with blocking queries underneath.
 */
import { Context, type Effect, type Stream } from "effect"
import type { UpstreamError } from "../domain/errors.ts"
import type { FunctionRef, NamespaceName } from "../domain/FunctionName.ts"

export interface Endpoint {
  /** The service instance ID; stable for the life of the instance. */
  readonly id: string
  readonly address: string
  readonly port: number
  /** The registration's tags: they carry per-function proxy settings (`openfaas-timeout=30s`). */
  readonly tags: ReadonlyArray<string>
}

export class Discovery extends Context.Service<Discovery, {
  /** The ready endpoints now, then each time they change. Fails when discovery does; callers retry. */
  readonly watch: (ref: FunctionRef) => Stream.Stream<ReadonlyArray<Endpoint>, UpstreamError>
  /** Ready instances of every function in the namespace, by function name, in one query. */
  readonly readyCounts: (namespace: NamespaceName) => Effect.Effect<ReadonlyMap<string, number>, UpstreamError>
}>()("faas-nomad/Discovery") {}

/** Whether two answers list the same instances in the same order: watches emit only when this is false. */
export const sameEndpoints = (a: ReadonlyArray<Endpoint>, b: ReadonlyArray<Endpoint>): boolean =>
  a.length === b.length && a.every((e, i) => e.id === b[i]!.id)
