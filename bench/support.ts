/** What the benchmarks share: child processes that print their port, free ports, waiting for HTTP, wrk, and what /proc says of a process. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
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
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<{ child: ChildProcess; info: A }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchFile(script), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env }
    })
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

/** Starts `node ...args`, which prints nothing useful; callers wait for its HTTP port instead. Killed when the benchmark exits. */
export const startQuietProcess = (
  args: ReadonlyArray<string>,
  options: { readonly ipc?: boolean; readonly env?: Readonly<Record<string, string>> } = {}
): ChildProcess => {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: options.ipc === true ? ["ignore", "ignore", "inherit", "ipc"] : ["ignore", "ignore", "inherit"]
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

/** Resident memory of a process now, in MB (Linux: /proc). */
export const residentMegabytes = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

/** CPU time a process has used so far, user and system, in ms (Linux: /proc/<pid>/stat, in ticks of 10 ms). */
export const cpuMillis = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10 // USER_HZ is 100 on Linux
}

/** Sockets a process holds open: listening, connected and its IPC channel (Linux: /proc). */
export const openSockets = (pid: number): number =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")
    } catch {
      return false // closed while we looked
    }
  }).length

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

const parseWrk = (output: string): WrkResult => {
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

/**
 * wrk against `url`. It runs as a child process, so this process stays free to call `sample` every 50 ms while
 * the load lasts (to read a server's memory, say).
 */
export const wrk = (
  url: string,
  options: { seconds: number; connections: number; threads?: number },
  sample: () => void = () => {}
): Promise<WrkResult> =>
  new Promise((resolve, reject) => {
    const child = spawn("wrk", [
      `-t${options.threads ?? 1}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      "--latency",
      url
    ], { stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const sampler = setInterval(sample, 50)
    child.once("error", reject)
    child.once("close", (code) => {
      clearInterval(sampler)
      if (code === 0) resolve(parseWrk(output))
      else reject(new Error(`wrk exited with ${code}:\n${output}`))
    })
  })

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
