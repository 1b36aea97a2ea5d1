/**
 * Listing and deploying against the Nomad simulator, measured side by side
 * with the way the original faas-nomad does it:
 * - list: faas-nomad (one job list + one allocation list, job reads cached by
 *   JobModifyIndex) against list + one read per job (the original);
 * - deploy: through faas-nomad's API against registering the same jobs
 *   directly with Nomad.
 * The simulator runs in this process; faas-nomad runs as `faas-nomad start`, from its production build.
 */
import { Result, Schema } from "effect"
import { settingsFromEnv } from "../src/config/commandLine.ts"
import { FunctionDeployment } from "../src/domain/FunctionDeployment.ts"
import { jobSettingsFrom } from "../src/jobs/JobSettings.ts"
import { toNomadJob } from "../src/jobs/toNomadJob.ts"
import { startNomadSimulator } from "../test/sim/nomad/NomadSimulator.ts"
import { productionBuild, startProvider } from "./cluster.ts"
import { median } from "./support.ts"

const settings = jobSettingsFrom(Result.getOrThrow(settingsFromEnv({})))

/** Runs `tasks` with at most `concurrency` at once; resolves with the elapsed milliseconds. */
const inParallel = async (tasks: ReadonlyArray<() => Promise<unknown>>, concurrency: number) => {
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) await tasks[next++]!()
  }))
  return performance.now() - started
}

const post = (url: string, body: unknown, method = "POST") =>
  fetch(url, { method, body: JSON.stringify(body) }).then(async (r) => {
    await r.text()
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status}`)
  })

export const runNomadBench = async (options: { functions: number; lists: number }) => {
  const sim = await startNomadSimulator()
  const { base: provider } = await startProvider(await productionBuild(), { nomad: sim })

  // Deploy: through faas-nomad, then the same jobs registered with Nomad directly (another prefix, same shape).
  const deployViaProvider = await inParallel(
    Array.from(
      { length: options.functions },
      (_, i) => () => post(`${provider}/system/functions`, { service: `fn-${i}`, image: "functions/alpine:latest" })
    ),
    16
  )
  const deployDirect = await inParallel(
    Array.from({ length: options.functions }, (_, i) => () => {
      const deployment = Schema.decodeUnknownSync(FunctionDeployment)({
        service: `direct-${i}`,
        image: "functions/alpine:latest"
      })
      const job = Result.getOrThrow(
        toNomadJob(
          deployment,
          { namespace: "default", count: 1, createdAt: new Date().toISOString() },
          { ...settings, jobPrefix: "Direct-" }
        )
      )
      return post(`${sim.url}/v1/jobs`, { Job: job, EnforceIndex: true, JobModifyIndex: 0 }, "PUT")
    }),
    16
  )
  await sim.settled()

  // List: faas-nomad, cold then warm; then the original's list + N reads, directly against Nomad.
  const count = () => ({ all: sim.server.requests.length })
  const before = count()
  const coldStarted = performance.now()
  const cold = await fetch(`${provider}/system/functions`).then((r) => r.json() as Promise<Array<unknown>>)
  const coldMillis = performance.now() - coldStarted
  const coldRequests = count().all - before.all
  const warmTimes: Array<number> = []
  const warmBefore = count()
  for (let i = 0; i < options.lists; i++) {
    const started = performance.now()
    await fetch(`${provider}/system/functions`).then((r) => r.text())
    warmTimes.push(performance.now() - started)
  }
  const warmRequests = (count().all - warmBefore.all) / options.lists

  const naiveTimes: Array<number> = []
  const naiveBefore = count()
  for (let i = 0; i < Math.max(3, Math.floor(options.lists / 4)); i++) {
    const started = performance.now()
    const stubs = await fetch(`${sim.url}/v1/jobs?prefix=OpenFaaS-`).then((r) =>
      r.json() as Promise<Array<{ ID: string }>>
    )
    await inParallel(
      stubs.map((stub) => () => fetch(`${sim.url}/v1/job/${encodeURIComponent(stub.ID)}`).then((r) => r.text())),
      16
    )
    naiveTimes.push(performance.now() - started)
  }
  const naiveRequests = (count().all - naiveBefore.all) / naiveTimes.length

  const warmMedian = median(warmTimes)
  const naiveMedian = median(naiveTimes)
  console.log(
    `\nnomad: ${options.functions} functions on the Nomad simulator (in process), faas-nomad (production build) as a child process`
  )
  console.log(
    `list        faas-nomad warm: ${warmRequests.toFixed(1)} Nomad requests, median ${
      warmMedian.toFixed(1)
    } ms (${options.lists} lists)`
  )
  console.log(
    `            faas-nomad cold: ${coldRequests} Nomad requests, ${
      coldMillis.toFixed(1)
    } ms (first list: every job read once), ${cold.length} functions`
  )
  console.log(
    `            list + N reads:  ${naiveRequests.toFixed(1)} Nomad requests, median ${naiveMedian.toFixed(1)} ms`
  )
  console.log(
    `            requests ratio naive/faas-nomad ${(naiveRequests / warmRequests).toFixed(0)}x, time ratio ${
      (naiveMedian / warmMedian).toFixed(1)
    }x`
  )
  console.log(
    `deploy      via faas-nomad: ${
      (options.functions / (deployViaProvider / 1000)).toFixed(0)
    } deploys/s; direct to Nomad: ${
      (options.functions / (deployDirect / 1000)).toFixed(0)
    } registers/s (16 at once); ratio ${(deployDirect / deployViaProvider).toFixed(2)}`
  )
  await sim.close()
}
