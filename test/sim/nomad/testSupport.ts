/** Request helpers and job bodies shared by the simulator's tests. */
import type { NomadSimulator } from "./NomadSimulator.ts"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

export const call = async (
  sim: NomadSimulator,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly headers?: Record<string, string> } = {}
): Promise<Answer> => {
  const body = options.body === undefined
    ? undefined
    : typeof options.body === "string"
    ? options.body
    : JSON.stringify(options.body)
  const response = await fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body }),
    ...(options.headers === undefined ? {} : { headers: options.headers })
  })
  const text = await response.text()
  let json: unknown = undefined
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/** A function's job as the provider would send it: one group, one docker task, one service on a dynamic port. */
export const functionJob = (
  id: string,
  options: {
    readonly count?: number
    readonly provider?: "nomad" | "consul"
    readonly namespace?: string
    readonly image?: string
    readonly meta?: Record<string, string>
  } = {}
) => ({
  ID: id,
  Name: id,
  Type: "service",
  ...(options.namespace === undefined ? {} : { Namespace: options.namespace }),
  Datacenters: ["dc1"],
  Meta: { "com.openfaas.function": id, ...options.meta },
  TaskGroups: [
    {
      Name: id,
      Count: options.count ?? 1,
      Networks: [{ Mode: "host", DynamicPorts: [{ Label: "http", To: 8080 }] }],
      Services: [
        {
          Name: id,
          PortLabel: "http",
          Provider: options.provider ?? "nomad",
          Tags: ["openfaas-fn"],
          Checks: [{ Name: "http", Type: "http", Path: "/_/health", Interval: 10_000_000_000, Timeout: 2_000_000_000 }]
        }
      ],
      Tasks: [
        {
          Name: id,
          Driver: "docker",
          Config: { image: options.image ?? `ghcr.io/openfaas/${id}:latest`, ports: ["http"] },
          Env: { fprocess: "cat" },
          Resources: { CPU: 100, MemoryMB: 128 }
        }
      ]
    }
  ]
})

export const register = (sim: NomadSimulator, job: unknown, extra: Record<string, unknown> = {}, query = "") =>
  call(sim, "PUT", `/v1/jobs${query}`, { body: { Job: job, ...extra } })

/** Registers the job and waits until its allocations are placed and started. */
export const deploy = async (sim: NomadSimulator, job: unknown, query = "") => {
  const answer = await register(sim, job, {}, query)
  if (answer.status !== 200) throw new Error(`register failed: ${answer.status} ${answer.text}`)
  await sim.settled()
  return answer
}
