/**
 * The invocation proxy against its ceiling, measured side by side in one run:
 * (a) the function directly, (b) a plain node:http + undici proxy,
 * (c) faas-nomad's /function/<name>. wrk drives each in turn, several rounds;
 * the medians and the ratio c/b are printed. Target: c/b >= 0.9 in
 * throughput, p99 within 1 ms of b.
 */
import { hasWrk, median, startBenchProvider, startProcess, wrk, type WrkResult } from "./support.ts"

export const runProxyBench = async (options: { seconds: number; rounds: number; connections: number }) => {
  if (!hasWrk()) throw new Error("the proxy benchmark needs wrk: apt-get install wrk")
  const { upstreamPort, base: provider } = await startBenchProvider(
    (process.env["BENCH_PROVIDER_FLAGS"] ?? "").split(" ").filter((f) => f !== "")
  )
  const baseline = await startProcess<{ port: number }>("processes/baselineProxy.ts", [String(upstreamPort)])
  const ballasted = await startProcess<{ port: number }>("processes/baselineProxy.ts", [String(upstreamPort), "40"])

  const variants = {
    "(a) function directly": `http://127.0.0.1:${upstreamPort}/`,
    "(b) node:http + undici proxy": `http://127.0.0.1:${baseline.info.port}/function/bench/`,
    "(c) faas-nomad /function/bench": `${provider}/function/bench/`,
    "(d) (b) with 40 MB of heap ballast": `http://127.0.0.1:${ballasted.info.port}/function/bench/`
  }
  for (const url of Object.values(variants)) wrk(url, { seconds: 2, connections: options.connections })

  // Each round runs every variant once, in alternating order so that drift on a shared machine evens out;
  // c/b is taken within each round (paired) and summarised by its median and range.
  const results: Record<string, Array<WrkResult>> = {}
  const entries = Object.entries(variants)
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, url] of round % 2 === 0 ? entries : [...entries].reverse()) {
      ;(results[name] ??= []).push(wrk(url, { seconds: options.seconds, connections: options.connections }))
    }
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, runs]) => [name, {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Millis)),
      p99: median(runs.map((r) => r.p99Millis)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0)
    }])
  )
  const b = results["(b) node:http + undici proxy"]!
  const c = results["(c) faas-nomad /function/bench"]!
  const ratios = c.map((run, i) => run.requestsPerSecond / b[i]!.requestsPerSecond)
  const p99Gaps = c.map((run, i) => run.p99Millis - b[i]!.p99Millis)
  const d = results["(d) (b) with 40 MB of heap ballast"]!
  const p99GapsToD = c.map((run, i) => run.p99Millis - d[i]!.p99Millis)
  console.log(`\nproxy: wrk -t1 -c${options.connections} -d${options.seconds}s, ${options.rounds} rounds, medians`)
  console.log("variant                              req/s     p50 ms   p99 ms  errors")
  for (const [name, s] of Object.entries(summary)) {
    console.log(
      `${name.padEnd(34)} ${s.rps.toFixed(0).padStart(8)} ${s.p50.toFixed(2).padStart(9)} ${
        s.p99.toFixed(2).padStart(8)
      } ${String(s.errors).padStart(7)}`
    )
  }
  const range = (values: ReadonlyArray<number>, digits: number) =>
    `${median(values).toFixed(digits)} (rounds ${Math.min(...values).toFixed(digits)} to ${
      Math.max(...values).toFixed(digits)
    })`
  console.log(`c/b throughput ${range(ratios, 3)}, target >= 0.9`)
  console.log(`p99 c-b ${range(p99Gaps, 2)} ms, target <= 1 ms`)
  console.log(`p99 c-d ${range(p99GapsToD, 2)} ms: the gap left once the plain proxy's heap is as large`)
}
