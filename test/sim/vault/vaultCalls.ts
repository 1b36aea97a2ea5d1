/** What the simulator's tests send: a plain `fetch` to the simulator, with the root token by default. */
import { startVaultSimulator, type VaultSimulator, type VaultSimulatorOptions } from "./VaultSimulator.ts"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON; `undefined` when empty. */
  readonly json: any
}

export interface CallOptions {
  /** `X-Vault-Token`; `root` when absent, none when `null`. */
  readonly token?: string | null
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const call = async (
  sim: VaultSimulator,
  method: string,
  path: string,
  options: CallOptions = {}
): Promise<Answer> => {
  const token = options.token === undefined ? "root" : options.token
  const headers: Record<string, string> = {
    ...(token === null ? {} : { "x-vault-token": token }),
    ...(options.body === undefined
      ? {}
      : { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }),
    ...options.headers
  }
  const response = await fetch(`${sim.url}/v1/${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: text === "" ? undefined : JSON.parse(text) }
}

/** Runs `body` against a fresh simulator and closes it whatever happens. */
export const withVault = async (
  options: VaultSimulatorOptions,
  body: (sim: VaultSimulator) => Promise<void>
): Promise<void> => {
  const sim = await startVaultSimulator({ startTime: new Date("2024-05-01T10:00:00Z"), ...options })
  try {
    await body(sim)
  } finally {
    await sim.close()
  }
}
