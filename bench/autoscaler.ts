/**
 * The autoscaler's cost with many functions: `faas-nomad start` (production
 * build, child process) over the Nomad simulator (in this process), 1,000
 * functions of which 100 are autoscaled, each autoscaled one invoked every
 * interval. Measured side by side, autoscaler=on against autoscaler=off, over
 * the same intervals: the Nomad requests per interval, and the provider's
 * CPU time per interval (utime + stime of its process, from /proc), whose
 * difference is what the autoscaler costs. Both variants measure from the
 * same settled state: the first intervals (the cold start) are past and a
 * full garbage collection has run (`settle`).
 */
import type { ChildProcess } from "node:child_process"
import { startNomadSimulator } from "../test/sim/nomad/NomadSimulator.ts"
import { productionBuild, startProvider } from "./cluster.ts"
import { benchFile, cpuMillis } from "./support.ts"

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", body: JSON.stringify(body) }).then(async (r) => {
    await r.text()
    if (r.status >= 300) throw new Error(`POST ${url}: ${r.status}`)
  })

const inParallel = async (tasks: ReadonlyArray<() => Promise<unknown>>, concurrency: number) => {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) await tasks[next++]!()
  }))
}

/**
 * A full garbage collection in the provider, asked of the memory probe, so that both variants start measuring
 * from the same settled heap: without it the young generation is left full of the deploys' garbage, and the
 * first collection in the window, whose cost is the deploys', falls on whichever variant allocates first (the
 * one with the autoscaler). What the intervals themselves allocate is still collected, and counted, in the window.
 */
const settle = (child: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    const silent = setTimeout(() => reject(new Error("the provider's memory probe did not answer in 30 s")), 30_000)
    child.once("message", () => {
      clearTimeout(silent)
      resolve()
    })
    child.send("gc")
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Figures {
  readonly requestsPerInterval: number
  readonly byKind: Record<string, number>
  readonly cpuMillisPerInterval: number
}

const measure = async (mode: "on" | "off", invoked: boolean, options: BenchOptions): Promise<Figures> => {
  const sim = await startNomadSimulator()
  const provider = await startProvider(
    await productionBuild(),
    { nomad: sim },
    {
      args: ["--autoscaler", mode, "--autoscaler-interval", `${options.intervalMillis}ms`],
      // The memory probe only listens: asked, it collects garbage (see `settle`).
      nodeFlags: [
        "--expose-gc",
        "--import",
        benchFile("processes/memoryProbe.js"),
        ...(process.env["BENCH_PROVIDER_FLAGS"] ?? "").split(" ").filter((f) => f !== "")
      ],
      ipc: true
    }
  )
  const base = provider.base
  await inParallel(
    Array.from({ length: options.functions }, (_, i) => () =>
      post(`${base}/system/functions`, {
        service: `fn-${i}`,
        image: "functions/alpine:latest",
        labels: i < options.autoscaled
          ? { "com.openfaas.scale.target": "50", "com.openfaas.scale.max": "4" }
          : {}
      })),
    16
  )
  await sim.settled()
  // Every autoscaled function invoked once, so each is watched and has load in every window.
  const invokeAll = () =>
    inParallel(
      Array.from(
        { length: options.autoscaled },
        (_, i) => () => fetch(`${base}/function/fn-${i}`).then((r) => r.text())
      ),
      8
    )
  await invokeAll()
  // Let the first intervals read every job once (the cold start), then measure steady intervals.
  await sleep(options.intervalMillis * 3)
  await settle(provider.child)
  const pid = provider.child.pid!
  const requestsBefore = sim.server.requests.length
  const cpuBefore = cpuMillis(pid)
  const started = performance.now()
  for (let i = 0; i < options.intervals; i++) {
    if (invoked) await invokeAll()
    await sleep(Math.max(0, started + (i + 1) * options.intervalMillis - performance.now()))
  }
  const elapsedIntervals = (performance.now() - started) / options.intervalMillis
  const cpu = cpuMillis(pid) - cpuBefore
  const requests = sim.server.requests.slice(requestsBefore)
  const byKind: Record<string, number> = {}
  for (const r of requests) {
    const kind = `${r.method} ${r.path.replace(/OpenFaaS-fn-\d+/, ":job").replace(/load\/[^/]+$/, "load/:replica")}`
    byKind[kind] = (byKind[kind] ?? 0) + 1 / elapsedIntervals
  }
  const exited = new Promise((resolve) => provider.child.once("exit", resolve))
  provider.child.kill("SIGTERM")
  await exited
  await sim.close()
  return {
    requestsPerInterval: requests.length / elapsedIntervals,
    byKind,
    cpuMillisPerInterval: cpu / elapsedIntervals
  }
}

interface BenchOptions {
  readonly functions: number
  readonly autoscaled: number
  readonly intervals: number
  readonly intervalMillis: number
}

export const runAutoscalerBench = async (options: BenchOptions) => {
  console.log(
    `\nautoscaler: ${options.functions} functions (${options.autoscaled} autoscaled), ${options.intervals} intervals ` +
      `of ${options.intervalMillis} ms, faas-nomad (production build) over the Nomad simulator`
  )
  const show = (f: Figures) =>
    Object.entries(f.byKind).filter(([, n]) => n >= 0.05).map(([k, n]) => `${k} ${n.toFixed(1)}`).join(", ") || "none"
  for (const invoked of process.env["BENCH_IDLE_ONLY"] === "1" ? [false] : [false, true]) {
    const on = await measure("on", invoked, options)
    const off = await measure("off", invoked, options)
    console.log(invoked ? "each autoscaled function invoked once per interval:" : "no invocations:")
    console.log(
      `  autoscaler=on   ${on.requestsPerInterval.toFixed(1)} Nomad requests per interval (${show(on)}); CPU ${
        on.cpuMillisPerInterval.toFixed(1)
      } ms per interval`
    )
    console.log(
      `  autoscaler=off  ${off.requestsPerInterval.toFixed(1)} Nomad requests per interval (${show(off)}); CPU ${
        off.cpuMillisPerInterval.toFixed(1)
      } ms per interval`
    )
    console.log(
      `  the autoscaler: ${(on.requestsPerInterval - off.requestsPerInterval).toFixed(1)} Nomad requests and ${
        (on.cpuMillisPerInterval - off.cpuMillisPerInterval).toFixed(1)
      } ms of CPU per interval (±${
        // Each variant's total is two readings apart, each cut to 10 ms: under 10 ms off; their difference, 20.
        (20 / options.intervals).toFixed(1)
      } ms: CPU time is read in 10 ms ticks)`
    )
  }
}
