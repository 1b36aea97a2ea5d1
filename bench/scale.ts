/**
 * What functions cost the provider: faas-nomad's production build, `start` against the Nomad and Consul
 * simulators (in this process), measured when started, after 1,000 functions are deployed through its API, and
 * after each was invoked once (so each has a discovery watch; all of them share one Consul blocking query). Each time, once
 * idle connections have closed: RSS and heap after a full GC, RSS once V8 has handed back the free pages it keeps
 * (a memory-pressure GC), open sockets, and a warm list's latency and requests. Targets of issue 12: RSS grows by
 * at most 60 MB, and a warm list stays at 2 requests (the job list, and one health query for availability).
 */
import type { ChildProcess } from "node:child_process"
import { productionBuild, startProvider, startSimulatedCluster } from "./cluster.ts"
import { benchFile, median, openSockets, startProcess } from "./support.ts"

interface Measure {
  readonly rssMb: number
  readonly heapMb: number
  readonly pressedRssMb: number
  readonly sockets: number
  readonly listMillis: number
  readonly nomadPerList: number
  readonly consulPerList: number
  /** Requests to Nomad's Variables while the lists ran: the autoscaler's lease and load snapshots, not the list's. */
  readonly autoscalerRequests: number
}

/** Runs `tasks` with at most `concurrency` at once. */
const inParallel = async (tasks: ReadonlyArray<() => Promise<unknown>>, concurrency: number) => {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) await tasks[next++]!()
  }))
}

const memoryOf = (child: ChildProcess, collection: "gc" | "pressure") =>
  new Promise<NodeJS.MemoryUsage>((resolve) => {
    child.once("message", (usage) => resolve(usage as NodeJS.MemoryUsage))
    child.send(collection)
  })

/** Longer than the provider's and undici's keep-alive timeouts (5 s, 4 s): idle connections have closed. */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 6000))

export const runScaleBench = async (options: { functions: number; lists: number }) => {
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const cluster = await startSimulatedCluster(upstream.info.port)
  const { child, base } = await startProvider(await productionBuild(), cluster, {
    nodeFlags: ["--expose-gc", "--import", benchFile("processes/memoryProbe.js")],
    ipc: true
  })
  const get = (path: string) =>
    fetch(`${base}${path}`).then(async (r) => {
      const text = await r.text()
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${text}`)
      return text
    })

  const isAutoscalers = (request: { readonly path: string }) => request.path.startsWith("/v1/var")
  const measure = async (): Promise<Measure> => {
    await get("/system/functions") // the first list after a change reads the jobs it has not seen
    const nomadBefore = cluster.nomad.server.requests.length
    const consulBefore = cluster.consul.server.requests.length
    const times: Array<number> = []
    for (let i = 0; i < options.lists; i++) {
      const started = performance.now()
      await get("/system/functions")
      times.push(performance.now() - started)
    }
    const nomadDuringLists = cluster.nomad.server.requests.slice(nomadBefore)
    await quiet()
    const memory = await memoryOf(child, "gc")
    const pressed = await memoryOf(child, "pressure")
    return {
      rssMb: memory.rss / 2 ** 20,
      heapMb: memory.heapUsed / 2 ** 20,
      pressedRssMb: pressed.rss / 2 ** 20,
      sockets: openSockets(child.pid!),
      listMillis: median(times),
      nomadPerList: nomadDuringLists.filter((r) => !isAutoscalers(r)).length / options.lists,
      consulPerList: (cluster.consul.server.requests.length - consulBefore) / options.lists,
      autoscalerRequests: nomadDuringLists.filter(isAutoscalers).length
    }
  }

  const started = await measure()
  const names = Array.from({ length: options.functions }, (_, i) => `fn-${i}`)
  await inParallel(
    names.map((name) => async () => {
      const r = await fetch(`${base}/system/functions`, {
        method: "POST",
        body: JSON.stringify({ service: name, image: "bench/upstream:1" })
      })
      await r.text()
      if (r.status !== 202) throw new Error(`deploy ${name}: ${r.status}`)
    }),
    16
  )
  await cluster.nomad.settled()
  const deployed = await measure()
  await inParallel(names.map((name) => () => get(`/function/${name}/`)), 16)
  await cluster.consul.untilBlocked() // the watches' one shared query waits on Consul again
  const invoked = await measure()

  console.log(
    `\nscale: ${options.functions} functions on the Nomad and Consul simulators (in this process); ` +
      `faas-nomad start, production build`
  )
  console.log(
    `RSS and heap after a full GC; RSS pressed after a memory-pressure GC; lists: median of ${options.lists}`
  )
  console.log(
    "                         RSS MB  RSS pressed MB  heap MB  sockets  warm list ms  requests per list"
  )
  const row = (name: string, m: Measure) =>
    console.log(
      `${name.padEnd(24)} ${m.rssMb.toFixed(1).padStart(6)} ${m.pressedRssMb.toFixed(1).padStart(15)} ${
        m.heapMb.toFixed(1).padStart(8)
      } ${String(m.sockets).padStart(8)} ${
        m.listMillis.toFixed(1).padStart(13)
      }  ${m.nomadPerList} Nomad + ${m.consulPerList} Consul`
    )
  row("started, no functions", started)
  row(`${options.functions} deployed`, deployed)
  row("each invoked once", invoked)
  const perFunction = (from: Measure, to: Measure) =>
    `RSS ${((to.rssMb - from.rssMb) * 1024 / options.functions).toFixed(1)} KB (pressed ${
      ((to.pressedRssMb - from.pressedRssMb) * 1024 / options.functions).toFixed(1)
    } KB), heap ${((to.heapMb - from.heapMb) * 1024 / options.functions).toFixed(1)} KB, sockets ${
      ((to.sockets - from.sockets) / options.functions).toFixed(2)
    }`
  console.log(`per function deployed:      ${perFunction(started, deployed)}`)
  console.log(`per function invoked once:  ${perFunction(deployed, invoked)} (its watch)`)
  const growth = invoked.rssMb - started.rssMb
  const pressedGrowth = invoked.pressedRssMb - started.pressedRssMb
  const requests = invoked.nomadPerList + invoked.consulPerList
  console.log(
    `RSS grows ${growth.toFixed(1)} MB (heap ${(invoked.heapMb - started.heapMb).toFixed(1)} MB; ` +
      `${pressedGrowth.toFixed(1)} MB once V8 hands back its free pages), target <= 60 MB: ${
        growth <= 60 ? "met" : "NOT met"
      }`
  )
  console.log(`a warm list costs ${requests} requests, target 2: ${requests <= 2 ? "met" : "NOT met"}`)
  console.log(
    `(beside the lists, the autoscaler's lease and load snapshots: ${invoked.autoscalerRequests} requests to ` +
      `Nomad Variables in ${options.lists} lists' time)`
  )
}
