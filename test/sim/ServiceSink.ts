/**
 * How the Nomad simulator hands a `provider = "consul"` service registration
 * to the Consul simulator, as a Nomad client does with its local Consul agent.
 */

export interface SimCheck {
  readonly name: string
  /** `http` or `tcp`. */
  readonly type: string
  readonly path?: string
}

export interface ServiceInstance {
  /** `_nomad-task-<allocID>-group-<group>-<service>-<portLabel>`, as Nomad names it. */
  readonly id: string
  readonly name: string
  /** The Nomad namespace of the job that registered it. */
  readonly namespace: string
  readonly address: string
  readonly port: number
  readonly tags: ReadonlyArray<string>
  readonly meta: Readonly<Record<string, string>>
  readonly allocId: string
  readonly jobId: string
  readonly checks: ReadonlyArray<SimCheck>
}

export interface ServiceSink {
  register(instance: ServiceInstance): void
  deregister(id: string): void
  /** Every check of the instance passing, or every check critical. */
  setHealth(id: string, passing: boolean): void
}
