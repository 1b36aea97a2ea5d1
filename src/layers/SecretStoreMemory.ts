/** Secrets in memory: for tests and the dev cluster. */
import { Effect, Layer } from "effect"
import type { SecretValue } from "../domain/Secret.ts"
import { SecretExists, SecretNotFound, SecretStore } from "../services/SecretStore.ts"

export const makeSecretStoreMemory = () => {
  const secrets = new Map<string, Map<string, SecretValue>>()
  const inNamespace = (namespace: string) => {
    let map = secrets.get(namespace)
    if (map === undefined) secrets.set(namespace, map = new Map())
    return map
  }
  return {
    /** The stored bytes: for the dev cluster's runner, which mounts them into functions. */
    read: (namespace: string, name: string): SecretValue | undefined => secrets.get(namespace)?.get(name),
    store: SecretStore.of({
      list: (namespace) => Effect.sync(() => [...inNamespace(namespace).keys()].sort()),
      exists: (namespace, name) => Effect.sync(() => inNamespace(namespace).has(name)),
      create: (namespace, name, value) =>
        Effect.suspend(() => {
          const map = inNamespace(namespace)
          if (map.has(name)) return Effect.fail(new SecretExists({ name, namespace }))
          map.set(name, value)
          return Effect.void
        }),
      update: (namespace, name, value) =>
        Effect.suspend(() => {
          const map = inNamespace(namespace)
          if (!map.has(name)) return Effect.fail(new SecretNotFound({ name, namespace }))
          map.set(name, value)
          return Effect.void
        }),
      remove: (namespace, name) =>
        Effect.suspend(() =>
          inNamespace(namespace).delete(name) ? Effect.void : Effect.fail(new SecretNotFound({ name, namespace }))
        )
    })
  }
}

export const SecretStoreMemory: Layer.Layer<SecretStore> = Layer.sync(SecretStore, () => makeSecretStoreMemory().store)
