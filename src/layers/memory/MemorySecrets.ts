/**
 * The dev cluster's view of the secrets in memory: what its runner renders
 * into an allocation's directory, and word of every change, so a running
 * instance sees an updated secret as a Nomad template would re-render it.
 */
import { Context } from "effect"
import type { SecretValue } from "../../domain/Secret.ts"

export class MemorySecrets extends Context.Service<MemorySecrets, {
  readonly read: (namespace: string, name: string) => SecretValue | undefined
  /** Called with the namespace and name of every secret created, updated or deleted. */
  readonly subscribe: (listener: (namespace: string, name: string) => void) => () => void
}>()("faas-nomad/MemorySecrets") {}
