/**
 * A bounded soak: sustained proxy load on loopback for a minute (BENCH_SOAK_SECONDS), in windows, reporting
 * errors and the resident memory of faas-nomad (its production build, `start` against the simulators) after each
 * window. Zero errors and a flat memory line are what to look for.
 */
import { deployFunction, productionBuild, startProvider, startSimulatedCluster, waitUntilAvailable } from "./cluster.ts"
import { hasWrk, residentMegabytes, startProcess, wrk } from "./support.ts"

export const runSoak = async (options: { seconds: number; windows: number; connections: number }) => {
  if (!hasWrk()) throw new Error("the soak needs wrk: apt-get install wrk")
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const cluster = await startSimulatedCluster(upstream.info.port)
  const { child: provider, base } = await startProvider(await productionBuild(), cluster)
  await deployFunction(base, "bench")
  await waitUntilAvailable([base], "bench")
  await wrk(`${base}/function/bench/`, { seconds: 3, connections: options.connections })
  const window = Math.max(1, Math.round(options.seconds / options.windows))
  const rows: Array<{ rps: number; p99: number; errors: number; rss: number }> = []
  const startRss = residentMegabytes(provider.pid!)
  for (let i = 0; i < options.windows; i++) {
    const result = await wrk(`${base}/function/bench/`, { seconds: window, connections: options.connections })
    rows.push({
      rps: result.requestsPerSecond,
      p99: result.p99Millis,
      errors: result.errors,
      rss: residentMegabytes(provider.pid!)
    })
  }
  const total = rows.reduce((sum, r) => sum + r.errors, 0)
  console.log(
    `\nsoak: ${
      window * options.windows
    } s of proxy load (wrk -c${options.connections}) in ${options.windows} windows; faas-nomad RSS ${
      startRss.toFixed(1)
    } MB after warm-up`
  )
  console.log("window   req/s    p99 ms  errors   RSS MB")
  rows.forEach((r, i) =>
    console.log(
      `${String(i + 1).padStart(6)} ${r.rps.toFixed(0).padStart(7)} ${r.p99.toFixed(2).padStart(9)} ${
        String(r.errors).padStart(7)
      } ${r.rss.toFixed(1).padStart(8)}`
    )
  )
  const growth = rows.length > 2 ? rows.at(-1)!.rss - rows[1]!.rss : 0
  console.log(
    `errors ${total}; RSS change from window 2 to window ${rows.length}: ${growth >= 0 ? "+" : ""}${
      growth.toFixed(1)
    } MB`
  )
}
