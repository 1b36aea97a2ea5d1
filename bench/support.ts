/** What the benchmarks share: child processes that print their port, free ports, waiting for HTTP, faas-nomad serving the `bench` function, and wrk. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

const children: Array<ChildProcess> = []
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL")
})

export const benchFile = (name: string) => fileURLToPath(new URL(name, import.meta.url))

/** Starts `node <script> ...args` and resolves with the JSON it prints on its first line. */
export const startProcess = <A>(
  script: string,
  args: ReadonlyArray<string>
): Promise<{ child: ChildProcess; info: A }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchFile(script), ...args], { stdio: ["ignore", "pipe", "inherit"] })
    children.push(child)
    let buffered = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const line = buffered.split("\n")[0]
      if (buffered.includes("\n") && line !== undefined) {
        try {
          resolve({ child, info: JSON.parse(line) as A })
        } catch {
          buffered = buffered.slice(buffered.indexOf("\n") + 1)
        }
      }
    })
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)))
  })

/** Starts a process that prints nothing useful; callers wait for its HTTP port instead. */
export const startQuietProcess = (
  script: string,
  args: ReadonlyArray<string>,
  nodeFlags: ReadonlyArray<string> = []
): ChildProcess => {
  const child = spawn(process.execPath, [...nodeFlags, benchFile(script), ...args], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  children.push(child)
  return child
}

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

export const waitForHttp = async (
  url: string,
  accept: (status: number, body: string) => boolean = (s) => s === 200
) => {
  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      const response = await fetch(url)
      const body = await response.text()
      if (accept(response.status, body)) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url} did not become ready`)
}

/**
 * The upstream function, and faas-nomad in front of it (its Node run with `nodeFlags`), once
 * healthy, with the function `bench` deployed and one replica available.
 */
export const startBenchProvider = async (nodeFlags: ReadonlyArray<string> = []) => {
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const port = await freePort()
  const provider = startQuietProcess("processes/faasNomad.ts", [String(upstream.info.port), String(port)], nodeFlags)
  const base = `http://127.0.0.1:${port}`
  await waitForHttp(`${base}/healthz`)
  const deployed = await fetch(`${base}/system/functions`, {
    method: "POST",
    body: JSON.stringify({ service: "bench", image: "bench/upstream:1" })
  })
  if (deployed.status !== 202) throw new Error(`deploy answered ${deployed.status}`)
  await waitForHttp(
    `${base}/system/function/bench`,
    (status, body) => status === 200 && JSON.parse(body).availableReplicas === 1
  )
  return { upstreamPort: upstream.info.port, provider, base }
}

export interface WrkResult {
  readonly requestsPerSecond: number
  readonly p50Millis: number
  readonly p99Millis: number
  readonly errors: number
}

const toMillis = (value: string): number => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim())
  if (match === null) return NaN
  const n = Number(match[1])
  return match[2] === "us" ? n / 1000 : match[2] === "s" ? n * 1000 : n
}

export const hasWrk = (): boolean => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" })
    return true
  } catch (error) {
    return (error as { status?: number }).status === 1
  }
}

export const wrk = (url: string, options: { seconds: number; connections: number; threads?: number }): WrkResult => {
  const output = execFileSync("wrk", [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--latency",
    url
  ], { encoding: "utf8" })
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)
  const p50 = /^\s+50%\s+(\S+)/m.exec(output)
  const p99 = /^\s+99%\s+(\S+)/m.exec(output)
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output)
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  return {
    requestsPerSecond: rps === null ? NaN : Number(rps[1]),
    p50Millis: p50 === null ? NaN : toMillis(p50[1]!),
    p99Millis: p99 === null ? NaN : toMillis(p99[1]!),
    errors: (errors === null ? 0 : Number(errors[1])) +
      (socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0))
  }
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
