/**
 * The scheduler and the client in one: evaluations bring each task group to
 * its count (scaling in place, replacing allocations whose group changed
 * once their replacements are healthy, stopping everything of a stopped or
 * purged job), and the task driver runs what is placed. A group whose update
 * asks for canaries first places them beside the old allocations and leaves
 * everything else as it is until they are promoted (see `deployments.ts`).
 * Only driver calls and evaluation pickup are asynchronous; `settled()`
 * waits for them.
 */
import { markComplete, markFailed, markRunning, newAllocation } from "./allocationLifecycle.ts"
import { allocatePorts, mainTask, type Placement, taskEnv } from "./allocations.ts"
import { groupSpecKey } from "./canonicalJob.ts"
import {
  activeDeployment,
  cancelOutdated,
  deploymentForCanaries,
  desiredCanaries,
  markSuccessful,
  promote,
  recordCanary,
  recordProgress
} from "./deployments.ts"
import type { TaskDriver } from "./driver.ts"
import { createEval } from "./jobRegister.ts"
import { computeJobStatus, isPeriodicOrParameterized, isTerminal } from "./jobViews.ts"
import type { AllocRecord, DeploymentRecord, SimJob, SimTaskGroup } from "./model.ts"
import { deregisterServices, registerServices, type ServiceContext, setSinkHealth } from "./services.ts"
import { jobKey, nowNanos, rfc3339, type Store } from "./store.ts"

type Trigger = "eval" | "health"

export class Reconciler {
  private readonly store: Store
  private readonly driver: TaskDriver
  private readonly services: ServiceContext
  private readonly placement: Placement
  private readonly inFlight = new Set<Promise<unknown>>()
  /** Each allocation's driver work, in order: a stop waits for its start. */
  private readonly chains = new Map<string, Promise<void>>()
  private readonly driverStarted = new Set<string>()
  private nextPort = 20000
  /** Told when an allocation turns terminal, so log streams following it end. */
  onTerminal: (allocId: string) => void = () => {}

  constructor(store: Store, driver: TaskDriver, services: ServiceContext) {
    this.store = store
    this.driver = driver
    this.services = services
    this.placement = services.placement
  }

  /** Picks up a pending evaluation on a later turn, as a scheduler worker would. */
  evaluate(evalId: string): void {
    this.track(new Promise<void>((resolve) => {
      setImmediate(() => {
        try {
          const evaluation = this.store.evals.get(evalId)
          if (evaluation !== undefined && evaluation.status === "pending") {
            evaluation.status = "complete"
            this.store.write("evals")
            this.reconcile(evaluation.namespace, evaluation.jobId, "eval", evalId)
          }
        } finally {
          resolve()
        }
      })
    }))
  }

  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** Stops every task the driver still runs, as a client draining on shutdown. */
  async shutdown(): Promise<void> {
    await this.settled()
    for (const alloc of this.store.allocs.values()) if (this.driverStarted.has(alloc.id)) void this.stopDriver(alloc)
    await this.settled()
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  /**
   * Brings the job's allocations to what it asks for; a health trigger only
   * retires replaced allocations. A deployment succeeds once every group in it
   * is promoted and made only of healthy allocations of the new version.
   */
  reconcile(namespace: string, jobId: string, trigger: Trigger, evalId = ""): void {
    const job = this.store.job(namespace, jobId)
    let planIndex: number | undefined
    const plan = () => (planIndex ??= this.store.write("allocs", "job_summary"))
    const live = [...this.store.allocs.values()].filter((a) =>
      a.namespace === namespace && a.jobId === jobId && a.desiredStatus === "run"
    )
    const stopped = job === undefined || job.Stop || isPeriodicOrParameterized(job)
    const groups = stopped ? [] : job.TaskGroups ?? []
    const unneededCanaries = new Set(cancelOutdated(this.store, namespace, jobId, job, stopped))
    for (const alloc of live) {
      const gone = job === undefined || alloc.jobCreateIndex !== job.CreateIndex ||
        !groups.some((g) => g.Name === alloc.group)
      if (gone) {
        this.stop(alloc, stopped ? "alloc not needed as job is stopped" : "alloc not needed due to job update", plan())
      } else if (unneededCanaries.has(alloc.id)) this.stop(alloc, "alloc not needed due to job update", plan())
    }
    if (job === undefined) return
    let deployment = stopped ? undefined : activeDeployment(this.store, job)
    let promoted = false
    const complete = new Set<string>()
    for (const group of groups) {
      const mine = live.filter((a) =>
        a.group === group.Name && a.jobCreateIndex === job.CreateIndex && !isTerminal(a) && a.desiredStatus === "run"
      )
      const key = groupSpecKey(job, group)
      const bySlot = (a: AllocRecord, b: AllocRecord) => a.slot - b.slot
      if (
        trigger === "eval" && deployment?.TaskGroups[group.Name] === undefined && desiredCanaries(group) > 0 &&
        mine.some((a) => a.specKey !== key)
      ) deployment = deploymentForCanaries(this.store, deployment, job, group)
      const state = deployment?.TaskGroups[group.Name]
      if (deployment !== undefined && state !== undefined && state.DesiredCanaries > 0 && !state.Promoted) {
        promoted = this.placeCanaries(job, group, key, mine, deployment, trigger, evalId, plan) || promoted
        continue
      }
      const same = mine.filter((a) => a.specKey === key).sort(bySlot)
      const outdated = mine.filter((a) => a.specKey !== key).sort(bySlot)
      const kept = same.slice(0, group.Count)
      if (trigger === "eval") {
        for (const alloc of same.slice(group.Count)) this.stop(alloc, "alloc not needed due to job update", plan())
        for (const alloc of kept) {
          if (alloc.job.JobModifyIndex !== job.JobModifyIndex) this.updateInPlace(alloc, job, plan())
        }
        const used = new Set([...kept, ...outdated].map((a) => a.slot))
        let slot = 0
        for (let n = kept.length; n < group.Count; n++) {
          while (used.has(slot)) slot++
          used.add(slot)
          this.place(job, group, key, slot, evalId, plan(), deployment)
        }
      }
      const healthy = kept.filter((a) => a.clientStatus === "running" && a.healthy === true).length
      const retired = outdated.slice(Math.max(0, group.Count - healthy))
      for (const alloc of retired) this.stop(alloc, "alloc is being updated due to job update", plan())
      if (deployment !== undefined) this.progress(deployment, group)
      if (retired.length === outdated.length && healthy >= group.Count) complete.add(group.Name)
    }
    if (
      deployment?.Status === "running" &&
      Object.entries(deployment.TaskGroups).every(([name, s]) =>
        complete.has(name) && (s.DesiredCanaries === 0 || s.Promoted)
      )
    ) markSuccessful(this.store, deployment)
    if (planIndex !== undefined) this.touchSummary(job, planIndex)
    this.refreshStatus(namespace, jobId)
    if (promoted && deployment !== undefined) this.promoted(job)
  }

  /**
   * While a group's canaries await promotion: place the missing ones beside
   * the old allocations, stop old ones only above a smaller count, and place
   * nothing else. True when the canaries are healthy and promote themselves.
   */
  private placeCanaries(
    job: SimJob,
    group: SimTaskGroup,
    key: string,
    mine: ReadonlyArray<AllocRecord>,
    deployment: DeploymentRecord,
    trigger: Trigger,
    evalId: string,
    plan: () => number
  ): boolean {
    const state = deployment.TaskGroups[group.Name]!
    const canaryIds = new Set(state.PlacedCanaries ?? [])
    const canaries = mine.filter((a) => canaryIds.has(a.id))
    const others = mine.filter((a) => !canaryIds.has(a.id)).sort((a, b) => a.slot - b.slot)
    if (trigger === "eval") {
      for (const alloc of others.slice(group.Count)) this.stop(alloc, "alloc not needed due to job update", plan())
      // A canary takes the name of an allocation it is to replace, as Nomad's name index does.
      const names = others.filter((a) => a.specKey !== key).map((a) => a.slot)
      for (let n = canaries.length; n < state.DesiredCanaries; n++) {
        const alloc = this.place(job, group, key, names[n] ?? n, evalId, plan(), deployment, true)
        recordCanary(this.store, deployment, group.Name, alloc.id)
      }
    }
    const placed = mine.filter((a) => a.deploymentId === deployment.ID)
    const healthy = placed.filter((a) => a.clientStatus === "running" && a.healthy === true).length
    recordProgress(this.store, deployment, group.Name, Math.max(placed.length, state.PlacedAllocs), healthy)
    if (!state.AutoPromote || healthy < state.DesiredCanaries) return false
    try {
      promote(this.store, deployment, (_group, ids) => this.healthyAmong(ids), "all")
      return true
    } catch {
      return false
    }
  }

  /** Healthy, running allocations among `ids`. */
  healthyAmong(ids: ReadonlyArray<string>): number {
    return ids.map((id) => this.store.allocs.get(id)).filter((a) =>
      a !== undefined && !isTerminal(a) && a.clientStatus === "running" && a.healthy === true
    ).length
  }

  /** A promotion's evaluation, as the deployment watcher creates one: the rollout goes on. */
  promoted(job: SimJob): void {
    this.store.write("evals")
    this.evaluate(createEval(this.store, job))
  }

  /** The group's allocations placed by the deployment, and how many are healthy. */
  private progress(deployment: DeploymentRecord, group: SimTaskGroup): void {
    const placed = [...this.store.allocs.values()].filter((a) =>
      a.deploymentId === deployment.ID && a.group === group.Name
    )
    recordProgress(this.store, deployment, group.Name, placed.length, placed.filter((a) => a.healthy === true).length)
  }

  private touchSummary(job: SimJob, index: number): void {
    const indexes = this.store.summaries.get(jobKey(job.Namespace, job.ID))
    if (indexes !== undefined) indexes.ModifyIndex = index
  }

  refreshStatus(namespace: string, jobId: string): void {
    const job = this.store.job(namespace, jobId)
    if (job === undefined) return
    const status = computeJobStatus(job, this.store)
    if (status !== job.Status) {
      this.store.jobs.set(jobKey(namespace, jobId), { ...job, Status: status, ModifyIndex: this.store.write("jobs") })
    }
  }

  private changed(alloc: AllocRecord, index = this.store.write("allocs", "job_summary")): void {
    alloc.modifyIndex = index
    alloc.modifyTime = nowNanos()
    const job = this.store.job(alloc.namespace, alloc.jobId)
    if (job !== undefined && job.CreateIndex === alloc.jobCreateIndex) this.touchSummary(job, index)
  }

  private updateInPlace(alloc: AllocRecord, job: SimJob, index: number): void {
    alloc.job = job
    alloc.allocModifyIndex = index
    this.changed(alloc, index)
  }

  private place(
    job: SimJob,
    group: SimTaskGroup,
    specKey: string,
    slot: number,
    evalId: string,
    index: number,
    deployment?: DeploymentRecord,
    canary = false
  ): AllocRecord {
    const ports = allocatePorts(group, () => this.nextPort++)
    const alloc = newAllocation({
      job,
      group,
      specKey,
      slot,
      evalId,
      index,
      ports,
      ...(deployment === undefined ? {} : { deploymentId: deployment.ID }),
      canary
    })
    this.store.allocs.set(alloc.id, alloc)
    const task = mainTask(group)
    if (task === undefined) return alloc
    const env = taskEnv(alloc, task, this.placement)
    const started = Promise.resolve()
      .then(() =>
        this.driver.start({
          id: alloc.id,
          namespace: alloc.namespace,
          jobId: alloc.jobId,
          group: alloc.group,
          task,
          env,
          ports: { ...ports }
        })
      )
      .then(
        (running) => {
          this.driverStarted.add(alloc.id)
          this.started(alloc, running)
        },
        (cause: unknown) => this.failed(alloc, "Driver Failure", cause instanceof Error ? cause.message : String(cause))
      )
    this.chains.set(alloc.id, started)
    this.track(started)
    return alloc
  }

  private started(alloc: AllocRecord, running: { readonly address: string; readonly port: number }): void {
    if (alloc.clientStatus === "failed") void this.stopDriver(alloc)
    if (alloc.desiredStatus !== "run" || alloc.clientStatus !== "pending") return
    markRunning(alloc, running)
    this.changed(alloc)
    registerServices(this.services, alloc)
    this.reconcile(alloc.namespace, alloc.jobId, "health")
  }

  /** The task died (or never started): the allocation is failed and unhealthy, its services gone. */
  failed(alloc: AllocRecord, type: "Driver Failure" | "Terminated", message: string): void {
    if (!markFailed(alloc, type, message)) return
    this.changed(alloc)
    deregisterServices(this.services, alloc)
    if (this.driverStarted.has(alloc.id)) void this.stopDriver(alloc)
    this.onTerminal(alloc.id)
    this.refreshStatus(alloc.namespace, alloc.jobId)
  }

  setHealth(alloc: AllocRecord, healthy: boolean): void {
    alloc.healthy = healthy
    alloc.healthTimestamp = rfc3339()
    this.changed(alloc)
    setSinkHealth(this.services, alloc, healthy)
    if (healthy) this.reconcile(alloc.namespace, alloc.jobId, "health")
  }

  private stop(alloc: AllocRecord, description: string, index: number): void {
    alloc.desiredStatus = "stop"
    alloc.desiredDescription = description
    alloc.allocModifyIndex = index
    this.changed(alloc, index)
    deregisterServices(this.services, alloc)
    void this.stopDriver(alloc, () => this.stopped(alloc))
  }

  /** Stops the task once its start is over (if it started), then runs `then`; all of it counts for `settled()`. */
  private stopDriver(alloc: AllocRecord, then: () => void = () => {}): Promise<void> {
    const before = this.chains.get(alloc.id) ?? Promise.resolve()
    const after = before
      .then(() => (this.driverStarted.delete(alloc.id) ? this.driver.stop(alloc.id) : undefined))
      .catch(() => undefined)
      .then(then)
    this.chains.set(alloc.id, after.catch(() => undefined))
    this.track(after)
    return after
  }

  private stopped(alloc: AllocRecord): void {
    if (markComplete(alloc)) this.changed(alloc)
    this.onTerminal(alloc.id)
    this.refreshStatus(alloc.namespace, alloc.jobId)
  }
}
