/**
 * Secrets in memory, for tests and the dev cluster. The dev cluster's runner
 * reads values from here to render them into functions, and hears of every
 * change so a running instance sees an updated secret.
 */
import { Context, Effect, Layer } from "effect"
import type { SecretValue } from "../../domain/Secret.ts"
import { SecretExists, SecretNotFound, SecretStore } from "../../services/SecretStore.ts"

export class MemorySecrets extends Context.Service<MemorySecrets, {
  readonly read: (namespace: string, name: string) => SecretValue | undefined
  /** Called with the namespace and name of every secret created, updated or deleted. */
  readonly subscribe: (listener: (namespace: string, name: string) => void) => () => void
}>()("faas-nomad/MemorySecrets") {}

export const makeSecretStoreMemory = () => {
  const secrets = new Map<string, Map<string, SecretValue>>()
  const listeners = new Set<(namespace: string, name: string) => void>()
  const inNamespace = (namespace: string) => {
    let map = secrets.get(namespace)
    if (map === undefined) secrets.set(namespace, map = new Map())
    return map
  }
  const changed = (namespace: string, name: string) => {
    for (const listener of listeners) listener(namespace, name)
  }
  const store = SecretStore.of({
    list: (namespace) => Effect.sync(() => [...inNamespace(namespace).keys()].sort()),
    exists: (namespace, name) => Effect.sync(() => inNamespace(namespace).has(name)),
    create: (namespace, name, value) =>
      Effect.suspend(() => {
        const map = inNamespace(namespace)
        if (map.has(name)) return Effect.fail(new SecretExists({ name, namespace }))
        map.set(name, value)
        changed(namespace, name)
        return Effect.void
      }),
    update: (namespace, name, value) =>
      Effect.suspend(() => {
        const map = inNamespace(namespace)
        if (!map.has(name)) return Effect.fail(new SecretNotFound({ name, namespace }))
        map.set(name, value)
        changed(namespace, name)
        return Effect.void
      }),
    remove: (namespace, name) =>
      Effect.suspend(() => {
        if (!inNamespace(namespace).delete(name)) return Effect.fail(new SecretNotFound({ name, namespace }))
        changed(namespace, name)
        return Effect.void
      })
  })
  const memory = MemorySecrets.of({
    read: (namespace, name) => secrets.get(namespace)?.get(name),
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  })
  return { store, memory }
}

export const SecretStoreMemory: Layer.Layer<SecretStore | MemorySecrets> = Layer.effectContext(
  Effect.sync(() => {
    const { memory, store } = makeSecretStoreMemory()
    return Context.make(SecretStore, store).pipe(Context.add(MemorySecrets, memory))
  })
)
