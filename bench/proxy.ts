/**
 * The invocation proxy against its ceiling, measured side by side in one run: (a) the function directly, (b) a
 * plain node:http + undici proxy, (c) faas-nomad's production build, `start` against the Nomad and Consul
 * simulators, invoked at /function/<name>, and (d) the same from source. (b) and (c) run with the environment the
 * Docker image sets (bench/cluster.ts: imageEnvironment). wrk drives each in turn, several rounds
 * in alternating order; each process's resident memory is read once it is ready (idle) and every 50 ms under load
 * (peak). Then (c) against (b) and the targets of issue 12: throughput >= 0.95x, p99 within 1 ms, peak RSS <=
 * 1.25x, idle RSS <= 100 MB.
 */
import {
  deployFunction,
  imageEnvironment,
  productionBuild,
  startProvider,
  startSimulatedCluster,
  waitUntilAvailable
} from "./cluster.ts"
import { cpuMillis, hasWrk, median, residentMegabytes, startProcess, wrk, type WrkResult } from "./support.ts"

interface Variant {
  readonly url: string
  /** The process whose memory is the variant's (none for the function itself). */
  readonly pid: number | undefined
  readonly runs: Array<WrkResult>
  /** Per round: the CPU time the process spent per request served, in µs (user and system, from /proc). */
  readonly cpuPerRequest: Array<number>
  idle: number
  peak: number
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000))

export const runProxyBench = async (options: { seconds: number; rounds: number; connections: number }) => {
  if (!hasWrk()) throw new Error("the proxy benchmark needs wrk: apt-get install wrk")
  const nodeFlags = (process.env["BENCH_PROVIDER_FLAGS"] ?? "").split(" ").filter((f) => f !== "")
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const upstreamPort = upstream.info.port
  const cluster = await startSimulatedCluster(upstreamPort)
  const built = await startProvider(await productionBuild(), cluster, { nodeFlags })
  const source = await startProvider("source", cluster, { nodeFlags })
  // The plain proxy runs with the image's environment too (MALLOC_ARENA_MAX): the same allocator for both.
  const baseline = await startProcess<{ port: number }>(
    "processes/baselineProxy.ts",
    [String(upstreamPort)],
    imageEnvironment()
  )
  await deployFunction(built.base, "bench")
  await waitUntilAvailable([built.base, source.base], "bench")

  const variant = (url: string, pid: number | undefined): Variant => ({
    url,
    pid,
    runs: [],
    cpuPerRequest: [],
    idle: NaN,
    peak: NaN
  })
  const variants: Record<string, Variant> = {
    "(a) function directly": variant(`http://127.0.0.1:${upstreamPort}/`, undefined),
    "(b) node:http + undici proxy": variant(
      `http://127.0.0.1:${baseline.info.port}/function/bench/`,
      baseline.child.pid
    ),
    "(c) faas-nomad start, production build": variant(`${built.base}/function/bench/`, built.child.pid),
    "(d) faas-nomad start, from source": variant(`${source.base}/function/bench/`, source.child.pid)
  }
  // Idle: started, the function found, one invocation served, a second to settle.
  for (const v of Object.values(variants)) await fetch(v.url).then((r) => r.text())
  await settle()
  for (const v of Object.values(variants)) {
    if (v.pid !== undefined) v.idle = v.peak = residentMegabytes(v.pid)
  }
  const load = (v: Variant, seconds: number) =>
    wrk(v.url, { seconds, connections: options.connections }, () => {
      if (v.pid !== undefined) v.peak = Math.max(v.peak, residentMegabytes(v.pid))
    })
  for (const v of Object.values(variants)) await load(v, 2)

  // Each round runs every variant once, in alternating order so that drift on a shared machine evens out;
  // the ratios are taken within each round (paired) and summarised by their median and range.
  const entries = Object.values(variants)
  for (let round = 0; round < options.rounds; round++) {
    for (const v of round % 2 === 0 ? entries : [...entries].reverse()) {
      const cpuBefore = v.pid === undefined ? 0 : cpuMillis(v.pid)
      const run = await load(v, options.seconds)
      v.runs.push(run)
      if (v.pid !== undefined) {
        v.cpuPerRequest.push((cpuMillis(v.pid) - cpuBefore) * 1000 / (run.requestsPerSecond * options.seconds))
      }
    }
  }

  const mb = (n: number) => (Number.isNaN(n) ? "-" : n.toFixed(0))
  console.log(
    `\nproxy: wrk -t1 -c${options.connections} -d${options.seconds}s, ${options.rounds} rounds, medians; ` +
      `RSS idle once ready, peak sampled every 50 ms under load; CPU per request from /proc`
  )
  console.log(
    "variant                                     req/s   p50 ms   p99 ms  errors  CPU us/req  RSS idle MB  RSS peak MB"
  )
  for (const [name, v] of Object.entries(variants)) {
    console.log(
      `${name.padEnd(40)} ${median(v.runs.map((r) => r.requestsPerSecond)).toFixed(0).padStart(8)} ${
        median(v.runs.map((r) => r.p50Millis)).toFixed(2).padStart(8)
      } ${median(v.runs.map((r) => r.p99Millis)).toFixed(2).padStart(8)} ${
        String(v.runs.reduce((sum, r) => sum + r.errors, 0)).padStart(7)
      } ${(v.cpuPerRequest.length === 0 ? "-" : median(v.cpuPerRequest).toFixed(1)).padStart(11)} ${
        mb(v.idle).padStart(12)
      } ${mb(v.peak).padStart(12)}`
    )
  }
  const b = variants["(b) node:http + undici proxy"]!
  const range = (values: ReadonlyArray<number>, digits: number, sign = false) => {
    const f = (n: number) => `${sign && n >= 0 ? "+" : ""}${n.toFixed(digits)}`
    return `${f(median(values))} (rounds ${f(Math.min(...values))} to ${f(Math.max(...values))})`
  }
  const row = (label: string, value: string, target: string, met: boolean) =>
    console.log(`  ${label.padEnd(16)} ${value.padEnd(36)} target ${target.padEnd(9)} ${met ? "met" : "NOT met"}`)
  const compared = [
    ["c", variants["(c) faas-nomad start, production build"]!, "the targets of issue 12"],
    ["d", variants["(d) faas-nomad start, from source"]!, "for comparison"]
  ] as const
  for (const [letter, v, what] of compared) {
    const throughput = v.runs.map((run, i) => run.requestsPerSecond / b.runs[i]!.requestsPerSecond)
    const p99 = v.runs.map((run, i) => run.p99Millis - b.runs[i]!.p99Millis)
    console.log(`(${letter}) against (b), ${what}:`)
    row(`throughput ${letter}/b`, range(throughput, 3), ">= 0.95", median(throughput) >= 0.95)
    row(`p99 ${letter}-b`, `${range(p99, 2, true)} ms`, "<= +1 ms", median(p99) <= 1)
    row(
      `peak RSS ${letter}/b`,
      `${(v.peak / b.peak).toFixed(2)} (${mb(v.peak)} / ${mb(b.peak)} MB)`,
      "<= 1.25",
      v.peak / b.peak <= 1.25
    )
    row(`idle RSS ${letter}`, `${mb(v.idle)} MB`, "<= 100 MB", v.idle <= 100)
    // Not a target: what each request costs the proxy's process, which the machine's noise disturbs far less.
    const cpu = v.cpuPerRequest.map((c, i) => c / b.cpuPerRequest[i]!)
    console.log(`  ${`CPU/request ${letter}/b`.padEnd(16)} ${range(cpu, 3)}`)
  }
}
