/**
 * Where a function's healthy instances are: Consul's health API, Nomad's
 * native services, or the in-memory catalog. An endpoint listed here would
 * serve a request now.
 */
import { Context, type Effect } from "effect"
import type { UpstreamError } from "../domain/errors.ts"
import type { FunctionRef } from "../domain/FunctionName.ts"

export interface Endpoint {
  /** The service instance ID; stable for the life of the instance. */
  readonly id: string
  readonly address: string
  readonly port: number
}

export class Discovery extends Context.Service<Discovery, {
  readonly endpoints: (ref: FunctionRef) => Effect.Effect<ReadonlyArray<Endpoint>, UpstreamError>
  /** Drops what is known or watched of a deleted function. */
  readonly forget: (ref: FunctionRef) => Effect.Effect<void>
}>()("faas-nomad/Discovery") {}
