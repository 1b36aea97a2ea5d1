/**
 * The invocation proxy against its ceiling, measured side by side in one run:
 * (a) the function directly, (b) a plain node:http + undici proxy,
 * (c) faas-nomad's /function/<name>. wrk drives each in turn, several rounds;
 * the medians and the ratio c/b are printed. Target: c/b >= 0.9 in
 * throughput, p99 within 1 ms of b.
 */
import { freePort, hasWrk, median, startProcess, startQuietProcess, waitForHttp, wrk, type WrkResult } from "./support.ts"

export const runProxyBench = async (options: { seconds: number; rounds: number; connections: number }) => {
  if (!hasWrk()) throw new Error("the proxy benchmark needs wrk: apt-get install wrk")
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const baseline = await startProcess<{ port: number }>("processes/baselineProxy.ts", [String(upstream.info.port)])
  const providerPort = await freePort()
  startQuietProcess("processes/faasNomad.ts", [String(upstream.info.port), String(providerPort)])
  const provider = `http://127.0.0.1:${providerPort}`
  await waitForHttp(`${provider}/healthz`)
  const deployed = await fetch(`${provider}/system/functions`, {
    method: "POST",
    body: JSON.stringify({ service: "bench", image: "bench/upstream:1" })
  })
  if (deployed.status !== 202) throw new Error(`deploy answered ${deployed.status}`)
  await waitForHttp(`${provider}/system/function/bench`, (status, body) => status === 200 && JSON.parse(body).availableReplicas === 1)

  const variants = {
    "(a) function directly": `http://127.0.0.1:${upstream.info.port}/`,
    "(b) node:http + undici proxy": `http://127.0.0.1:${baseline.info.port}/function/bench/`,
    "(c) faas-nomad /function/bench": `${provider}/function/bench/`
  }
  for (const url of Object.values(variants)) wrk(url, { seconds: 2, connections: options.connections })

  const results: Record<string, Array<WrkResult>> = {}
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, url] of Object.entries(variants)) {
      ;(results[name] ??= []).push(wrk(url, { seconds: options.seconds, connections: options.connections }))
    }
  }
  const summary = Object.fromEntries(Object.entries(results).map(([name, runs]) => [name, {
    rps: median(runs.map((r) => r.requestsPerSecond)),
    p50: median(runs.map((r) => r.p50Millis)),
    p99: median(runs.map((r) => r.p99Millis)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0)
  }]))
  const b = summary["(b) node:http + undici proxy"]!
  const c = summary["(c) faas-nomad /function/bench"]!
  console.log(`\nproxy: wrk -t1 -c${options.connections} -d${options.seconds}s, ${options.rounds} rounds, medians`)
  console.log("variant                              req/s     p50 ms   p99 ms  errors")
  for (const [name, s] of Object.entries(summary)) {
    console.log(`${name.padEnd(34)} ${s.rps.toFixed(0).padStart(8)} ${s.p50.toFixed(2).padStart(9)} ${s.p99.toFixed(2).padStart(8)} ${String(s.errors).padStart(7)}`)
  }
  console.log(`c/b throughput ${(c.rps / b.rps).toFixed(3)} (target >= 0.9); p99 c-b ${(c.p99 - b.p99).toFixed(2)} ms (target <= 1 ms)`)
}
