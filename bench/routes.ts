/**
 * The API routes, this build against another, side by side in one run: `BENCH_BASELINE` names another
 * production build's `faas-nomad.js` (e.g. a `git worktree` of an earlier commit, built with
 * `node scripts/build.ts --bundle-only`); without it, this build is measured alone. Each build is `faas-nomad
 * start` on a Nomad simulator of its own (in this process) with the same functions, deployed in alternating
 * batches (as many as rounds); then, in rounds of alternating order, warm lists (`GET /system/functions`) and wrk on one function's
 * status (`GET /system/function/{name}`). Ratios are this build's over the baseline's, paired within a round.
 * Wall-clock figures swing with whatever else the machine runs; the CPU time the provider's process spends per
 * list and per status request (from /proc) swings far less, so both are printed.
 */
import { startNomadSimulator } from "../test/sim/nomad/NomadSimulator.ts"
import { productionBuild, startProvider } from "./cluster.ts"
import { cpuMillis, hasWrk, median, wrk } from "./support.ts"

interface Build {
  readonly label: string
  readonly base: string
  readonly pid: number
  readonly deployCpuMillis: Array<number>
  readonly listCpuMillis: Array<number>
  readonly statusCpuMicros: Array<number>
  readonly deployMillis: Array<number>
  readonly listMillis: Array<number>
  readonly statusPerSecond: Array<number>
  readonly statusErrors: Array<number>
}

const deployBatch = async (base: string, from: number, count: number, concurrency: number) => {
  const started = performance.now()
  let next = from
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < from + count) {
      const i = next++
      const answer = await fetch(`${base}/system/functions`, {
        method: "POST",
        body: JSON.stringify({ service: `fn-${i}`, image: "functions/alpine:latest" })
      })
      await answer.text()
      if (answer.status !== 202) throw new Error(`deploy of fn-${i} answered ${answer.status}`)
    }
  }))
  return performance.now() - started
}

const timedList = async (base: string) => {
  const started = performance.now()
  const answer = await fetch(`${base}/system/functions`)
  await answer.text()
  if (answer.status !== 200) throw new Error(`list answered ${answer.status}`)
  return performance.now() - started
}

export const runRoutesBench = async (
  options: { functions: number; rounds: number; lists: number; seconds: number; connections: number }
) => {
  if (!hasWrk()) throw new Error("the routes benchmark needs wrk: apt-get install wrk")
  const baseline = process.env["BENCH_BASELINE"]
  const commands = [
    { label: "this build", command: await productionBuild() },
    ...(baseline === undefined ? [] : [{ label: "baseline", command: baseline }])
  ]
  const builds: Array<Build> = []
  for (const { label, command } of commands) {
    const nomad = await startNomadSimulator()
    const { base, child } = await startProvider(command, { nomad })
    builds.push({
      label,
      base,
      pid: child.pid!,
      deployCpuMillis: [],
      listCpuMillis: [],
      statusCpuMicros: [],
      deployMillis: [],
      listMillis: [],
      statusPerSecond: [],
      statusErrors: []
    })
  }
  const ordered = (round: number) => round % 2 === 0 ? builds : [...builds].reverse()

  const batches = options.rounds
  const batch = Math.ceil(options.functions / batches)
  for (let b = 0; b < batches; b++) {
    for (const build of ordered(b)) {
      const cpu = cpuMillis(build.pid)
      build.deployMillis.push(await deployBatch(build.base, b * batch, batch, 16))
      build.deployCpuMillis.push((cpuMillis(build.pid) - cpu) / batch)
    }
  }
  for (const build of builds) await timedList(build.base) // the cold list reads every job once

  for (let round = 0; round < options.rounds; round++) {
    for (const build of ordered(round)) {
      const lists: Array<number> = []
      const listCpu = cpuMillis(build.pid)
      for (let i = 0; i < options.lists; i++) lists.push(await timedList(build.base))
      build.listCpuMillis.push((cpuMillis(build.pid) - listCpu) / options.lists)
      build.listMillis.push(median(lists))
      const statusCpu = cpuMillis(build.pid)
      const status = await wrk(`${build.base}/system/function/fn-0`, {
        seconds: options.seconds,
        connections: options.connections
      })
      const requests = status.requestsPerSecond * options.seconds
      build.statusCpuMicros.push((cpuMillis(build.pid) - statusCpu) * 1000 / requests)
      build.statusPerSecond.push(status.requestsPerSecond)
      build.statusErrors.push(status.errors)
    }
  }

  const f = (n: number, digits = 1) => n.toFixed(digits)
  const deploysPerSecond = (build: Build) => batch * batches / (build.deployMillis.reduce((a, b) => a + b) / 1000)
  console.log(
    `\nroutes: ${batch * batches} functions per build, each build on a Nomad simulator of its own (in process); ` +
      `${options.rounds} rounds in alternating order: ${options.lists} warm lists (median), then ` +
      `wrk -t1 -c${options.connections} -d${options.seconds}s GET /system/function/fn-0`
  )
  console.log(
    "build          deploys/s  deploy CPU ms  warm list ms  list CPU ms  status req/s  status CPU us/req  errors"
  )
  for (const build of builds) {
    console.log(
      `${build.label.padEnd(14)} ${f(deploysPerSecond(build), 0).padStart(9)}  ${
        f(median(build.deployCpuMillis), 2).padStart(13)
      }  ${f(median(build.listMillis)).padStart(12)}  ${f(median(build.listCpuMillis)).padStart(11)}  ${
        f(median(build.statusPerSecond), 0).padStart(12)
      }  ${f(median(build.statusCpuMicros), 0).padStart(17)}  ${
        String(build.statusErrors.reduce((a, b) => a + b)).padStart(6)
      }`
    )
  }
  const [current, base] = builds
  if (current === undefined || base === undefined) return
  const paired = (values: (round: number) => number) => {
    const ratios = Array.from({ length: options.rounds }, (_, round) => values(round))
    return `${f(median(ratios), 3)} (rounds ${f(Math.min(...ratios), 3)} to ${f(Math.max(...ratios), 3)})`
  }
  console.log("this build against the baseline (higher is faster; 0.90 is 10% slower):")
  console.log(`  deploys/s          ${paired((r) => base.deployMillis[r]! / current.deployMillis[r]!)}`)
  console.log(`  warm list speed    ${paired((r) => base.listMillis[r]! / current.listMillis[r]!)}`)
  console.log(`  status req/s       ${paired((r) => current.statusPerSecond[r]! / base.statusPerSecond[r]!)}`)
  console.log(`  deploy, by CPU     ${paired((r) => base.deployCpuMillis[r]! / current.deployCpuMillis[r]!)}`)
  console.log(`  list, by CPU       ${paired((r) => base.listCpuMillis[r]! / current.listCpuMillis[r]!)}`)
  console.log(`  status, by CPU     ${paired((r) => base.statusCpuMicros[r]! / current.statusCpuMicros[r]!)}`)
}
