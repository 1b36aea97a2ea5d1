/**
 * `npm run bench [-- proxy|scale|heap|list|routes|soak|dev|autoscaler|all]`: benchmarks that print figures
 * measured side by side in one run. Not tests: nothing here asserts on time.
 * BENCH_SECONDS and BENCH_ROUNDS size the proxy and routes runs, BENCH_FUNCTIONS
 * the list, routes, scale and autoscaler runs, BENCH_INTERVALS the autoscaler run,
 * BENCH_BASELINE names the build the routes run compares with, BENCH_SOAK_SECONDS
 * the soak; BENCH_PROVIDER_FLAGS passes Node flags to the provider's process in
 * the proxy and autoscaler benchmarks (e.g. --max-semi-space-size=16).
 */
import { runAutoscalerBench } from "./autoscaler.ts"
import { runDevBench } from "./dev.ts"
import { runHeapBench } from "./heap.ts"
import { runNomadBench } from "./nomad.ts"
import { runProxyBench } from "./proxy.ts"
import { runRoutesBench } from "./routes.ts"
import { runScaleBench } from "./scale.ts"
import { runSoak } from "./soak.ts"

const which = process.argv[2] ?? "all"
const seconds = Number(process.env["BENCH_SECONDS"] ?? 5)
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 6)

const main = async () => {
  if (which === "list" || which === "deploy" || which === "nomad" || which === "all") {
    await runNomadBench({ functions: Number(process.env["BENCH_FUNCTIONS"] ?? 1000), lists: 20 })
  }
  if (which === "routes" || which === "all") {
    await runRoutesBench({
      functions: Number(process.env["BENCH_FUNCTIONS"] ?? 1000),
      rounds,
      lists: 10,
      seconds: Math.min(seconds, 3),
      connections: 16
    })
  }
  if (which === "proxy" || which === "all") await runProxyBench({ seconds, rounds, connections: 50 })
  if (which === "scale" || which === "all") {
    await runScaleBench({ functions: Number(process.env["BENCH_FUNCTIONS"] ?? 1000), lists: 20 })
  }
  if (which === "heap" || which === "all") await runHeapBench()
  if (which === "autoscaler" || which === "all") {
    await runAutoscalerBench({
      functions: Number(process.env["BENCH_FUNCTIONS"] ?? 1000),
      autoscaled: 100,
      intervals: Number(process.env["BENCH_INTERVALS"] ?? 40),
      intervalMillis: 1000
    })
  }
  if (which === "dev" || which === "all") await runDevBench()
  if (which === "soak" || which === "all") {
    await runSoak({ seconds: Number(process.env["BENCH_SOAK_SECONDS"] ?? 60), windows: 6, connections: 50 })
  }
  process.exit(0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
