/**
 * The in-memory cluster's service catalog: the instances of running
 * allocations, registered once they run, with a health flag a test may flip
 * as a failing check would. Watchers (the in-memory discovery) subscribe and
 * hear of every change in the cluster; they compare for themselves.
 */

export interface ServiceInstance {
  readonly id: string
  readonly service: string
  readonly namespace: string
  readonly allocId: string
  readonly address: string
  readonly port: number
  readonly tags: ReadonlyArray<string>
  readonly meta: Readonly<Record<string, string>>
  healthy: boolean
}

export class ServiceCatalog {
  readonly #instances = new Map<string, ServiceInstance>()
  readonly #listeners = new Set<() => void>()

  /** Tells watchers that something may have changed. */
  changed(): void {
    for (const listener of this.#listeners) listener()
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  register(instance: ServiceInstance): void {
    this.#instances.set(instance.id, instance)
  }

  /** The allocation serves no more: its instances leave the catalog. */
  deregisterAllocation(allocId: string): void {
    for (const [id, instance] of this.#instances) if (instance.allocId === allocId) this.#instances.delete(id)
  }

  /** Healthy instances right now, of one service or of all. */
  healthy(service?: string): ReadonlyArray<ServiceInstance> {
    return [...this.#instances.values()].filter((i) => i.healthy && (service === undefined || i.service === service))
  }

  /** As a failing or recovering health check would. */
  setAllocationHealth(allocId: string, healthy: boolean): void {
    for (const instance of this.#instances.values()) if (instance.allocId === allocId) instance.healthy = healthy
    this.changed()
  }
}
