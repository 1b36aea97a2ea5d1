/**
 * `/v1/client/allocation/:alloc_id/<action>`, of which only `stats` is
 * simulated: the resource usage a client reports for an allocation
 * (`allocRunner.LatestAllocStats`), with what tests set per task
 * (`state.setAllocationStats`). Every task that has started is listed with
 * its last sample; only running ones add up into `ResourceUsage` and
 * `Timestamp`, so a terminal allocation answers zeros until it is collected
 * (the simulator never collects one). An allocation Nomad does not know is a
 * 404 `Unknown allocation "<id>"`.
 */
import { requireAccess } from "./acl.ts"
import { HttpError, NotServed, type RequestContext, sendJson } from "./http.ts"
import type { AllocRecord } from "./model.ts"
import type { Handler, Sim } from "./sim.ts"

/** What a test sets a task to use; what it leaves out reads zero. */
export interface AllocationUsage {
  /** Percent of one core over the last sample: 100 is one core. */
  readonly cpuPercent?: number
  /** Resident memory, in bytes. */
  readonly memoryRssBytes?: number
  /** What the memory cgroup charges, in bytes; the RSS when left out. */
  readonly memoryUsageBytes?: number
}

/** The simulated node's MHz per core; `TotalTicks` is the share of it that `Percent` stands for. */
const mhzPerCore = 1000

/** Measured as the docker driver measures on cgroup v2 (`drivers/docker/util/stats_posix.go`). */
const memoryMeasured = ["RSS", "Cache", "Swap", "Usage"]
const cpuMeasured = ["Throttled Periods", "Throttled Time", "Percent"]

interface Usage {
  readonly MemoryStats: Record<string, number | ReadonlyArray<string> | null>
  readonly CpuStats: Record<string, number | ReadonlyArray<string> | null>
}

/** `cstructs.ResourceUsage` of one task, as a driver samples it. */
const taskUsage = (usage: AllocationUsage): Usage => {
  const percent = usage.cpuPercent ?? 0
  const rss = usage.memoryRssBytes ?? 0
  return {
    MemoryStats: {
      RSS: rss,
      Cache: 0,
      Swap: 0,
      MappedFile: 0,
      Usage: usage.memoryUsageBytes ?? rss,
      MaxUsage: 0,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: memoryMeasured
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: percent,
      TotalTicks: (percent / 100) * mhzPerCore,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: percent,
      Measured: cpuMeasured
    }
  }
}

/** `ResourceUsage.Add`: numbers summed, `Measured` joined as a set (null while nothing was). */
const add = (
  into: Record<string, number | ReadonlyArray<string> | null>,
  other: Record<string, number | ReadonlyArray<string> | null>
) => {
  for (const [key, value] of Object.entries(other)) {
    const current = into[key]
    if (typeof value === "number") into[key] = (typeof current === "number" ? current : 0) + value
    else if (Array.isArray(value)) into[key] = [...new Set([...(Array.isArray(current) ? current : []), ...value])]
  }
}

const zeroMemory = () => ({
  RSS: 0,
  Cache: 0,
  Swap: 0,
  MappedFile: 0,
  Usage: 0,
  MaxUsage: 0,
  KernelUsage: 0,
  KernelMaxUsage: 0,
  Measured: null
})

const zeroCpu = () => ({
  SystemMode: 0,
  UserMode: 0,
  TotalTicks: 0,
  ThrottledPeriods: 0,
  ThrottledTime: 0,
  Percent: 0,
  Measured: null
})

/** `cstructs.AllocResourceUsage`; `task` narrows it to one task, as `?task=` does. */
const allocUsage = (sim: Sim, alloc: AllocRecord, task: string) => {
  const memory: Record<string, number | ReadonlyArray<string> | null> = zeroMemory()
  const cpu: Record<string, number | ReadonlyArray<string> | null> = zeroCpu()
  const tasks: Record<string, unknown> = {}
  const sampledAt = sim.now() * 1_000_000
  let timestamp = 0
  for (const [name, state] of Object.entries(alloc.taskStates)) {
    if ((task !== "" && task !== name) || state.StartedAt === null) continue
    const usage = taskUsage(sim.usage.get(alloc.id)?.get(name) ?? {})
    tasks[name] = { ResourceUsage: { ...usage, DeviceStats: null }, Timestamp: sampledAt, Pids: null }
    if (state.State !== "running") continue
    add(memory, usage.MemoryStats)
    add(cpu, usage.CpuStats)
    timestamp = sampledAt
  }
  return { ResourceUsage: { MemoryStats: memory, CpuStats: cpu, DeviceStats: [] }, Tasks: tasks, Timestamp: timestamp }
}

const allocationStats = (ctx: RequestContext, sim: Sim, allocId: string) => {
  if (allocId === "") throw new HttpError(500, "Missing allocation ID")
  const alloc = sim.store.allocs.get(allocId)
  if (alloc === undefined) throw new HttpError(404, `Unknown allocation ${JSON.stringify(allocId)}`)
  requireAccess(sim.principal(ctx), alloc.namespace, "read")
  sendJson(ctx, 200, allocUsage(sim, alloc, ctx.query.get("task") ?? ""))
}

/** The actions `ClientAllocRequest` knows besides `stats`: answered here like a route the simulator lacks. */
const otherActions = new Set(["checks", "exec", "snapshot", "restart", "gc", "signal", "pause"])

export const clientAllocationRequest: Handler = (ctx, sim) => {
  const tokens = ctx.path.slice("/v1/client/allocation/".length).split("/")
  const [allocId = "", action = ""] = tokens
  if (tokens.length === 2 && action === "stats") return allocationStats(ctx, sim, allocId)
  if (tokens.length === 2 && otherActions.has(action)) throw new NotServed()
  throw new HttpError(404, "resource not found")
}
