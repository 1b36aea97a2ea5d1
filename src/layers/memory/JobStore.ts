/**
 * The in-memory cluster's jobs and namespaces, as Nomad's state store keeps
 * them: versions, Raft indexes, check-and-set with Nomad's own messages, and
 * each change handed to the scheduler (`reconcile`). Failures are the Nomad
 * service's own errors, each operation with only those it can end with.
 */
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { Job } from "../../nomad/Job.ts"
import type { JobListStub, TaskGroupSummary } from "../../nomad/JobListStub.ts"
import type { Namespace } from "../../nomad/Namespace.ts"
import {
  JobIndexConflict,
  JobNotFound,
  type JobRegistration,
  JobRejected,
  type RegisterOptions
} from "../../services/Nomad.ts"
import type { Allocations } from "./Allocations.ts"
import { devClusterRefusal } from "./devClusterLimits.ts"
import { reconcile } from "./reconcile.ts"

const key = (namespace: string, id: string) => `${namespace}\u0000${id}`

/** Nomad's validation of a job, as far as this cluster needs it, in Nomad's words. */
const validate = (job: Job): string | undefined => {
  if (job.ID === "") return "Job ID hasn't been provided"
  if (job.TaskGroups == null || job.TaskGroups.length === 0) return "1 error occurred:\n\t* Missing job task groups\n\n"
  for (const group of job.TaskGroups) {
    if ((group.Count ?? 1) < 0) return `1 error occurred:\n\t* Task group ${group.Name} count can't be negative\n\n`
    if (group.Tasks.length === 0) return `1 error occurred:\n\t* Missing tasks for task group ${group.Name}\n\n`
  }
  return devClusterRefusal(job)
}

export class JobStore {
  readonly #namespaces = new Map<string, Namespace>([["default", {
    Name: "default",
    Description: "Default shared namespace"
  }]])
  readonly #jobs = new Map<string, Job>()
  readonly #nextIndex: () => number
  readonly #allocations: Allocations

  constructor(nextIndex: () => number, allocations: Allocations) {
    this.#nextIndex = nextIndex
    this.#allocations = allocations
  }

  register(
    job: Job,
    options: RegisterOptions,
    now: number
  ): Effect.Effect<JobRegistration, JobIndexConflict | JobRejected> {
    const namespace = job.Namespace ?? "default"
    if (!this.#namespaces.has(namespace)) {
      return Effect.fail(new JobRejected({ jobId: job.ID, message: `nonexistent namespace "${namespace}"` }))
    }
    const problem = validate(job)
    if (problem !== undefined) return Effect.fail(new JobRejected({ jobId: job.ID, message: problem }))
    const existing = this.#jobs.get(key(namespace, job.ID))
    if (options.enforceIndex !== undefined) {
      const conflict = (reason: string) =>
        Effect.fail(
          new JobIndexConflict({
            jobId: job.ID,
            message: `Enforcing job modify index ${options.enforceIndex}: ${reason}`
          })
        )
      if (options.enforceIndex === 0 && existing !== undefined) return conflict("job already exists")
      if (options.enforceIndex > 0 && existing === undefined) return conflict("job does not exist")
      if (options.enforceIndex > 0 && existing?.JobModifyIndex !== options.enforceIndex) {
        return conflict(`job exists with conflicting job modify index: ${existing?.JobModifyIndex}`)
      }
    }
    const modifyIndex = this.#nextIndex()
    const taskGroups = (job.TaskGroups ?? []).map((group) => {
      const previous = existing?.TaskGroups?.find((g) => g.Name === group.Name)
      return options.preserveCounts === true && previous?.Count != null ? { ...group, Count: previous.Count } : group
    })
    const stored: Job = {
      ...job,
      Name: job.Name ?? job.ID,
      Namespace: namespace,
      TaskGroups: taskGroups,
      Stop: false,
      Status: "pending",
      Version: existing === undefined ? 0 : (existing.Version ?? 0) + 1,
      SubmitTime: now,
      CreateIndex: existing?.CreateIndex ?? modifyIndex,
      ModifyIndex: modifyIndex,
      JobModifyIndex: modifyIndex
    }
    this.#store(stored, now)
    return Effect.succeed({ jobModifyIndex: modifyIndex, evalId: randomUUID() })
  }

  read(namespace: string, id: string): Option.Option<Job> {
    return Option.fromUndefinedOr(this.#jobs.get(key(namespace, id)))
  }

  list(namespace: string, prefix: string): ReadonlyArray<JobListStub> {
    return [...this.#jobs.values()]
      .filter((j) => j.Namespace === namespace && j.ID.startsWith(prefix))
      .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0))
      .map((j) => ({
        ID: j.ID,
        Name: j.Name ?? j.ID,
        Namespace: j.Namespace ?? "default",
        Type: j.Type ?? "service",
        Status: j.Status ?? "pending",
        Stop: j.Stop ?? false,
        JobSummary: { JobID: j.ID, Namespace: j.Namespace ?? "default", Summary: this.#summarize(j) },
        Meta: j.Meta ?? {},
        CreateIndex: j.CreateIndex ?? 0,
        ModifyIndex: j.ModifyIndex ?? 0,
        JobModifyIndex: j.JobModifyIndex ?? 0,
        SubmitTime: j.SubmitTime ?? 0
      }))
  }

  /** Stops the job; with `purge` it and its allocations are gone at once. */
  deregister(namespace: string, id: string, purge: boolean, now: number): { readonly existed: boolean } {
    const existing = this.#jobs.get(key(namespace, id))
    if (existing === undefined) return { existed: false }
    const modifyIndex = this.#nextIndex()
    this.#store({ ...existing, Stop: true, ModifyIndex: modifyIndex, JobModifyIndex: modifyIndex }, now)
    if (purge) {
      this.#jobs.delete(key(namespace, id))
      this.#allocations.purge(namespace, id)
    }
    return { existed: true }
  }

  scale(
    namespace: string,
    id: string,
    group: string,
    count: number,
    now: number,
    enforceIndex = 0
  ): Effect.Effect<void, JobNotFound | JobRejected | JobIndexConflict> {
    const existing = this.#jobs.get(key(namespace, id))
    if (existing === undefined || existing.Stop === true) return Effect.fail(new JobNotFound({ jobId: id }))
    if (count < 0) return Effect.fail(new JobRejected({ jobId: id, message: "scaling action count can't be negative" }))
    if (!existing.TaskGroups?.some((g) => g.Name === group)) {
      return Effect.fail(
        new JobRejected({ jobId: id, message: `task group "${group}" specified for scaling does not exist in job` })
      )
    }
    // As Nomad's Job.Scale: an index above 0 must be the job's JobModifyIndex.
    if (enforceIndex > 0 && enforceIndex !== existing.JobModifyIndex) {
      return Effect.fail(
        new JobIndexConflict({
          jobId: id,
          message: `Enforcing job modify index ${enforceIndex}: job exists with conflicting job modify index: ${
            existing.JobModifyIndex ?? 0
          }`
        })
      )
    }
    const modifyIndex = this.#nextIndex()
    this.#store({
      ...existing,
      TaskGroups: existing.TaskGroups.map((g) => (g.Name === group ? { ...g, Count: count } : g)),
      Version: (existing.Version ?? 0) + 1,
      ModifyIndex: modifyIndex,
      JobModifyIndex: modifyIndex
    }, now)
    return Effect.void
  }

  /** Schedules the job as it is stored now: an allocation of it started, or a failed one is due to be replaced. */
  reconcileStored(namespace: string, id: string, now: number): void {
    const current = this.#jobs.get(key(namespace, id))
    if (current !== undefined) this.#reconcile(current, now)
  }

  readNamespace(name: string): Option.Option<Namespace> {
    return Option.fromUndefinedOr(this.#namespaces.get(name))
  }

  listNamespaces(): ReadonlyArray<Namespace> {
    return [...this.#namespaces.values()]
  }

  createNamespace(name: string, meta: Readonly<Record<string, string>>): void {
    this.#namespaces.set(name, { Name: name, Description: "", Meta: meta })
  }

  #store(job: Job, now: number): void {
    this.#jobs.set(key(job.Namespace ?? "default", job.ID), job)
    this.#reconcile(job, now)
  }

  /** Hands the job to the scheduler, and keeps the status it ends in. */
  #reconcile(job: Job, now: number): void {
    const status = reconcile(job, this.#allocations, now)
    const k = key(job.Namespace ?? "default", job.ID)
    const stored = this.#jobs.get(k)
    if (stored !== undefined && stored.Status !== status) {
      this.#jobs.set(k, { ...stored, Status: status, ModifyIndex: this.#nextIndex() })
    }
  }

  #summarize(job: Job): Record<string, TaskGroupSummary> {
    const allocs = this.#allocations.ofJob(job.Namespace ?? "default", job.ID)
    const summary: Record<string, TaskGroupSummary> = {}
    for (const group of job.TaskGroups ?? []) {
      const inGroup = allocs.filter((a) => a.stub.TaskGroup === group.Name)
      const count = (status: string) => inGroup.filter((a) => a.stub.ClientStatus === status).length
      summary[group.Name] = {
        Queued: 0,
        Starting: count("pending"),
        Running: count("running"),
        Complete: count("complete"),
        Failed: count("failed"),
        Lost: count("lost"),
        Unknown: 0
      }
    }
    return summary
  }
}
