/** Helpers the Consul simulator's tests share: raw requests, and Nomad-style instances. */
import { Effect } from "effect"
import type { ServiceInstance } from "../ServiceSink.ts"
import type { ConsulSimulator } from "./ConsulSimulator.ts"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** One request as a client would send it; redirects are not followed so they can be seen. */
export const send = async (sim: ConsulSimulator, path: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(`${sim.url}${path}`, { redirect: "manual", ...init })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

export const get = (sim: ConsulSimulator, path: string, init: RequestInit = {}) =>
  Effect.promise(() => send(sim, path, init))

export const json = <A = any>(answer: Answer): A => JSON.parse(answer.text) as A

export const indexOf = (answer: Answer): number => Number(answer.headers.get("x-consul-index"))

export const filterParam = (expression: string) => `filter=${encodeURIComponent(expression)}`

/** A function instance as the Nomad simulator would hand it over. */
export const instance = (id: string, overrides: Partial<ServiceInstance> = {}): ServiceInstance => ({
  id: `_nomad-task-${id}-group-fn-fn-http`,
  name: "fn",
  namespace: "default",
  address: "10.0.0.5",
  port: 20000,
  tags: ["openfaas-timeout=30s"],
  meta: { openfaas_namespace: "default" },
  allocId: id,
  jobId: "fn",
  checks: [{ name: "service: \"fn\" check", type: "http", path: "/_/health" }],
  ...overrides
})

/** Service IDs of a health or catalog answer, in order. */
export const serviceIds = (answer: Answer): ReadonlyArray<string> =>
  json<ReadonlyArray<{ Service?: { ID: string }; ServiceID?: string }>>(answer).map((e) =>
    e.Service?.ID ?? e.ServiceID ?? ""
  )
