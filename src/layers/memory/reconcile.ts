/**
 * The in-memory cluster's scheduler, reduced to one node: brings a job's
 * allocations to what the job asks for. Missing ones are placed in free
 * slots, surplus ones stopped; a changed group (anything but its count) is
 * rolled out, the old allocations kept until as many new ones run. A failed
 * allocation holds its slot until it is due to be replaced (so its failure
 * stays visible), then it stops and a new one takes its place.
 */
import type { Job, TaskGroup } from "../../nomad/Job.ts"
import type { Allocation, Allocations } from "./Allocations.ts"

export type JobStatus = "pending" | "running" | "dead"

/** What decides whether an allocation must be replaced: the group without its count, and placement. */
const specKeyOf = (job: Job, group: TaskGroup) =>
  JSON.stringify([{ ...group, Count: undefined }, job.Datacenters, job.Constraints])

/** Places, stops and rolls allocations for `job` as it is now; answers the job's status. */
export const reconcile = (job: Job, allocations: Allocations, now: number): JobStatus => {
  for (const group of job.TaskGroups ?? []) {
    const replaced: Array<Allocation> = []
    for (const alloc of allocations.ofGroup(job, group.Name)) {
      if (alloc.stub.ClientStatus === "failed" && alloc.rescheduleAt !== undefined && alloc.rescheduleAt <= now) {
        allocations.stop(alloc, now)
        replaced.push(alloc)
      }
    }
    const live = allocations.ofGroup(job, group.Name)
    const want = job.Stop === true ? 0 : group.Count ?? 1
    const specKey = specKeyOf(job, group)
    const current = live.filter((a) => a.specKey === specKey).sort((a, b) => a.index - b.index)
    const old = live.filter((a) => a.specKey !== specKey)
    for (const alloc of current.slice(want)) allocations.stop(alloc, now)
    for (const alloc of current.slice(0, want)) {
      if (alloc.stub.JobVersion !== job.Version) allocations.update(alloc, { JobVersion: job.Version ?? 0 }, now)
    }
    const used = new Set([...current.slice(0, want), ...old].map((a) => a.index))
    let slot = 0
    for (let n = current.length; n < want; n++) {
      while (used.has(slot)) slot++
      used.add(slot)
      allocations.place(job, group, specKey, slot, now, replaced.shift())
    }
    const healthyCurrent = current.slice(0, want).filter((a) => a.stub.ClientStatus === "running").length
    const keepOld = Math.max(0, want - healthyCurrent)
    for (const alloc of old.slice(keepOld)) allocations.stop(alloc, now)
  }
  const all = allocations.ofJob(job.Namespace ?? "default", job.ID)
  return all.some((a) => a.stub.ClientStatus === "running")
    ? "running"
    : all.some((a) => a.stub.DesiredStatus === "run")
    ? "pending"
    : "dead"
}
