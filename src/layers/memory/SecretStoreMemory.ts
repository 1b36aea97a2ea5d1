/**
 * Secrets in memory, for tests and the dev cluster: the SecretStore, and the
 * `MemorySecrets` view the dev cluster's runner reads values from.
 */
import { Context, Effect, Layer } from "effect"
import { SecretExists, SecretNotFound } from "../../domain/errors.ts"
import type { SecretValue } from "../../domain/Secret.ts"
import { SecretStore } from "../../services/SecretStore.ts"
import { MemorySecrets } from "./MemorySecrets.ts"

/** One store of secrets, seen as both services. */
export const make = () => {
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

export const layer: Layer.Layer<SecretStore | MemorySecrets> = Layer.effectContext(
  Effect.sync(() => {
    const { memory, store } = make()
    return Context.make(SecretStore, store).pipe(Context.add(MemorySecrets, memory))
  })
)
