/**
 * The task-driver seam: what runs an allocation's main task when the
 * simulator places it. Tests that need a real listener pass their own; the
 * default is virtual and listens nowhere.
 */

export interface SimAllocation {
  readonly id: string
  readonly namespace: string
  readonly jobId: string
  readonly group: string
  /** The task JSON as registered (canonicalised, as the job read returns it). */
  readonly task: unknown
  /** What Nomad puts in the task's environment: `NOMAD_*` variables and the task's own `Env`. */
  readonly env: Record<string, string>
  /** Host ports the simulator allocated, by port label. */
  readonly ports: Record<string, number>
}

export interface TaskDriver {
  /** Resolves when the task is up, with where its services answer; a rejection fails the allocation. */
  start(alloc: SimAllocation): Promise<{ readonly address: string; readonly port: number }>
  stop(allocId: string): Promise<void>
}

/** Answers on no port at all: `127.0.0.1` and the allocation's first port (fake ports count up from 20000). */
export const virtualDriver = (): TaskDriver => ({
  start: (alloc) => Promise.resolve({ address: "127.0.0.1", port: Object.values(alloc.ports)[0] ?? 0 }),
  stop: () => Promise.resolve()
})
