/**
 * The provider's function operations, in OpenFaaS terms, over the Nomad,
 * Discovery and SecretStore services. Writes use check-and-set so that
 * concurrent requests, on this replica or another, never lose an update.
 */
import { Context, DateTime, Effect, Layer, Option, Result } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import {
  ConcurrentModification,
  DeploymentRejected,
  FunctionExists,
  FunctionNotFound,
  InvalidRequest,
  type UpstreamError
} from "../domain/errors.ts"
import type { FunctionDeployment } from "../domain/FunctionDeployment.ts"
import { decodeFunctionName, type FunctionRef, type NamespaceName, refKey } from "../domain/FunctionName.ts"
import type { FunctionStatus } from "../domain/FunctionStatus.ts"
import { initialReplicas } from "../jobs/functionLabels.ts"
import { metaKeys } from "../jobs/jobMeta.ts"
import { jobId, type JobSettings, jobSettingsFrom } from "../jobs/JobSettings.ts"
import { keptRegistryAuth } from "../jobs/registryAuth.ts"
import { deploymentOf, functionGroup, toFunctionStatus } from "../jobs/toFunctionStatus.ts"
import { type Placement, toNomadJob } from "../jobs/toNomadJob.ts"
import { volumeScaleProblems } from "../jobs/volumes.ts"
import type { Job } from "../nomad/Job.ts"
import { problemList } from "../schema/problemText.ts"
import { retryLostRaces } from "../services/checkAndSet.ts"
import { Discovery } from "../services/Discovery.ts"
import { Metrics } from "../services/Metrics.ts"
import { JobIndexConflict, JobRejected, Nomad, type ScaleBlocked } from "../services/Nomad.ts"
import { SecretStore } from "../services/SecretStore.ts"
import { EndpointResolver } from "./EndpointResolver.ts"
import { JobCache } from "./JobCache.ts"
import { readFunctionJob } from "./readFunctionJob.ts"
import { readRegistryCredentials } from "./registryCredentialsFile.ts"

const isJobIndexConflict = (e: unknown): e is JobIndexConflict => e instanceof JobIndexConflict

const isJobRejected = (e: unknown): e is JobRejected => e instanceof JobRejected

/** Nomad refusing a function's job is its deployment rejected, in OpenFaaS terms. */
const rejectedBy =
  (ref: FunctionRef) =>
  <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, JobRejected> | DeploymentRejected, R> =>
    Effect.catch(
      write,
      (e) => Effect.fail(isJobRejected(e) ? new DeploymentRejected({ name: ref.name, message: e.message }) : e)
    ) as Effect.Effect<A, Exclude<E, JobRejected> | DeploymentRejected, R>

export class Functions extends Context.Service<Functions, {
  readonly deploy: (
    deployment: FunctionDeployment,
    namespace: NamespaceName
  ) => Effect.Effect<void, FunctionExists | InvalidRequest | DeploymentRejected | UpstreamError>
  readonly update: (
    deployment: FunctionDeployment,
    namespace: NamespaceName
  ) => Effect.Effect<
    void,
    FunctionNotFound | InvalidRequest | DeploymentRejected | ConcurrentModification | UpstreamError
  >
  readonly scale: (
    ref: FunctionRef,
    replicas: number
  ) => Effect.Effect<
    void,
    FunctionNotFound | InvalidRequest | DeploymentRejected | ConcurrentModification | UpstreamError
  >
  /**
   * A scale as the autoscaler makes it: as `scale`, but only if the job's `JobModifyIndex` still is the one the
   * decision was made on (a scale or an update in between wins: `JobIndexConflict`), and never by registering a
   * new job version while a deployment runs, which would cancel its canaries (`ScaleBlocked`).
   */
  readonly autoscale: (
    ref: FunctionRef,
    replicas: number,
    options: { readonly jobModifyIndex: number; readonly message: string }
  ) => Effect.Effect<
    void,
    FunctionNotFound | InvalidRequest | DeploymentRejected | JobIndexConflict | ScaleBlocked | UpstreamError
  >
  readonly remove: (ref: FunctionRef) => Effect.Effect<void, FunctionNotFound | UpstreamError>
  readonly status: (ref: FunctionRef) => Effect.Effect<FunctionStatus, FunctionNotFound | UpstreamError>
  readonly list: (namespace: NamespaceName) => Effect.Effect<ReadonlyArray<FunctionStatus>, UpstreamError>
  /** Why the function cannot serve, when every instance it should run has failed; undefined otherwise. */
  readonly failure: (ref: FunctionRef) => Effect.Effect<string | undefined, UpstreamError>
}>()("faas-nomad/Functions") {
  static readonly layer = Layer.effect(
    Functions,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const settings: JobSettings = jobSettingsFrom(config, yield* readRegistryCredentials(config.registryAuthFile))
      const nomad = yield* Nomad
      const discovery = yield* Discovery
      const resolver = yield* EndpointResolver
      const metrics = yield* Metrics
      const secretStore = yield* SecretStore

      /** Every secret a deployment names must exist in its namespace before Nomad is asked to mount it. */
      const checkSecrets = (deployment: FunctionDeployment, namespace: NamespaceName) =>
        Effect.forEach(
          deployment.secrets ?? [],
          (name) => Effect.map(secretStore.exists(namespace, name), (found) => found ? [] : [name]),
          {
            concurrency: 4
          }
        ).pipe(
          Effect.flatMap((missing) => {
            const names = missing.flat()
            return names.length === 0 ? Effect.void : Effect.fail(
              new InvalidRequest({
                message: problemList(
                  names.map((name) =>
                    `secrets: "${name}" does not exist in namespace "${namespace}"; ` +
                    `create it first (faas-cli secret create ${name})`
                  )
                )
              })
            )
          })
        )
      const jobCache = new JobCache()

      const buildJob = (deployment: FunctionDeployment, placement: Placement): Effect.Effect<Job, InvalidRequest> =>
        Result.match(toNomadJob(deployment, placement, settings), {
          onFailure: (problems) => Effect.fail(new InvalidRequest({ message: problemList(problems) })),
          onSuccess: Effect.succeed
        })

      const functionJob = (ref: FunctionRef) => readFunctionJob(nomad, settings, ref)

      /** Retries a check-and-set write that lost a race, re-reading each time; gives up with ConcurrentModification. */
      const retryConflicts = <A, E>(ref: FunctionRef, write: Effect.Effect<A, E | JobIndexConflict>) =>
        retryLostRaces(write, isJobIndexConflict, () => new ConcurrentModification({ kind: "function", ...ref }))

      const createdAtOf = (existing: Job): Effect.Effect<string> => {
        const recorded = existing.Meta?.[metaKeys.createdAt]
        return recorded === undefined ? Effect.map(DateTime.now, DateTime.formatIso) : Effect.succeed(recorded)
      }

      /** A job stopped outside the provider may be taken over by a deploy; a live one is a conflict. */
      const takeOverStopped = Effect.fnUntraced(function*(job: Job, ref: FunctionRef) {
        const existing = yield* nomad.readJob(ref.namespace, job.ID)
        if (Option.isNone(existing) || existing.value.Stop !== true) return yield* new FunctionExists(ref)
        yield* nomad.registerJob(job, { enforceIndex: existing.value.JobModifyIndex ?? 0 }).pipe(
          Effect.catchTag("JobIndexConflict", () => Effect.fail(new FunctionExists(ref)))
        )
      })

      const deploy = Effect.fn("Functions.deploy")(function*(deployment: FunctionDeployment, namespace: NamespaceName) {
        const ref: FunctionRef = { name: deployment.service, namespace }
        const count = initialReplicas(deployment.labels, settings.maxReplicas)
        if (Result.isFailure(count)) return yield* new InvalidRequest({ message: count.failure })
        const createdAt = DateTime.formatIso(yield* DateTime.now)
        const job = yield* buildJob(deployment, { namespace, count: count.success, createdAt })
        yield* checkSecrets(deployment, namespace)
        yield* nomad.registerJob(job, { enforceIndex: 0 }).pipe(
          Effect.catchTag("JobIndexConflict", () => takeOverStopped(job, ref)),
          rejectedBy(ref)
        )
      })

      const updateOnce = Effect.fnUntraced(function*(deployment: FunctionDeployment, ref: FunctionRef) {
        const existing = yield* functionJob(ref)
        const createdAt = yield* createdAtOf(existing)
        const count = functionGroup(existing, ref.name)?.Count ?? 1
        const registryAuth = keptRegistryAuth(existing)
        const job = yield* buildJob(deployment, { namespace: ref.namespace, count, createdAt, registryAuth })
        yield* nomad.registerJob(job, { enforceIndex: existing.JobModifyIndex ?? 0, preserveCounts: true }).pipe(
          rejectedBy(ref)
        )
      })

      const update = Effect.fn("Functions.update")(function*(deployment: FunctionDeployment, namespace: NamespaceName) {
        const ref: FunctionRef = { name: deployment.service, namespace }
        yield* checkSecrets(deployment, namespace)
        yield* retryConflicts(ref, updateOnce(deployment, ref))
      })

      /** Rewrites the job with a new count, check-and-set: for when the scale endpoint refuses. */
      const scaleByRegisterOnce = Effect.fnUntraced(function*(ref: FunctionRef, replicas: number) {
        const existing = yield* functionJob(ref)
        const deployment = deploymentOf(existing, ref.name)
        if (deployment === undefined) {
          return yield* new DeploymentRejected({ name: ref.name, message: "the job does not describe a function" })
        }
        const createdAt = yield* createdAtOf(existing)
        const registryAuth = keptRegistryAuth(existing)
        const job = yield* buildJob(deployment, { namespace: ref.namespace, count: replicas, createdAt, registryAuth })
          .pipe(
            // The job read back cannot be rebuilt: Nomad holds what this provider would not write.
            Effect.mapError((e) => new DeploymentRejected({ name: ref.name, message: e.message }))
          )
        yield* nomad.registerJob(job, { enforceIndex: existing.JobModifyIndex ?? 0 }).pipe(rejectedBy(ref))
      })

      /** The function's job, if it may run `replicas` instances. */
      const scalable = Effect.fnUntraced(function*(ref: FunctionRef, replicas: number) {
        if (replicas > settings.maxReplicas) {
          return yield* new InvalidRequest({
            message: `replicas must be at most ${settings.maxReplicas} (max_replicas), got ${replicas}`
          })
        }
        const existing = yield* functionJob(ref)
        const volumes = volumeScaleProblems(deploymentOf(existing, ref.name)?.annotations, replicas)
        if (volumes.length > 0) return yield* new InvalidRequest({ message: problemList(volumes) })
        return existing
      })

      const scale = Effect.fn("Functions.scale")(function*(ref: FunctionRef, replicas: number) {
        const existing = yield* scalable(ref, replicas)
        const group = functionGroup(existing, ref.name)?.Name ?? ref.name
        yield* nomad.scaleTaskGroup(ref.namespace, existing.ID, group, replicas, `scaled to ${replicas} by faas-nomad`)
          .pipe(
            Effect.catchTag("JobNotFound", () => Effect.fail(new FunctionNotFound(ref))),
            // Nomad refuses to scale while a deployment runs; a new job version supersedes the deployment instead.
            Effect.catchTag("ScaleBlocked", () => retryConflicts(ref, scaleByRegisterOnce(ref, replicas))),
            // Not asked for: without an index to enforce, Nomad has none to refuse.
            Effect.catchTag(
              "JobIndexConflict",
              () => Effect.fail(new ConcurrentModification({ kind: "function", ...ref }))
            ),
            rejectedBy(ref)
          )
      })

      const autoscale = Effect.fn("Functions.autoscale")(function*(
        ref: FunctionRef,
        replicas: number,
        options: { readonly jobModifyIndex: number; readonly message: string }
      ) {
        const existing = yield* scalable(ref, replicas)
        if (existing.JobModifyIndex !== options.jobModifyIndex) {
          return yield* new JobIndexConflict({
            jobId: existing.ID,
            message: `Enforcing job modify index ${options.jobModifyIndex}: job exists with conflicting job modify ` +
              `index: ${existing.JobModifyIndex}`
          })
        }
        const group = functionGroup(existing, ref.name)?.Name ?? ref.name
        yield* nomad.scaleTaskGroup(ref.namespace, existing.ID, group, replicas, options.message, {
          enforceIndex: options.jobModifyIndex
        }).pipe(Effect.catchTag("JobNotFound", () => Effect.fail(new FunctionNotFound(ref))), rejectedBy(ref))
      })

      const remove = Effect.fn("Functions.remove")(function*(ref: FunctionRef) {
        const existing = yield* functionJob(ref)
        const { existed } = yield* nomad.deregisterJob(ref.namespace, existing.ID, { purge: true })
        jobCache.forget(ref.namespace, existing.ID)
        yield* resolver.forget(ref)
        metrics.forget(ref)
        // Another delete got there between our read and ours: it is the one that deleted the function.
        if (!existed) return yield* new FunctionNotFound(ref)
      })

      const status = Effect.fn("Functions.status")(function*(ref: FunctionRef) {
        const job = yield* functionJob(ref)
        const entry = yield* resolver.entry(ref)
        const found = toFunctionStatus(job, ref.name, {
          availableReplicas: entry.balancer.endpoints.length,
          invocationCount: metrics.invocationCount(ref)
        })
        if (found === undefined) return yield* new FunctionNotFound(ref)
        return found
      })

      const list = Effect.fn("Functions.list")(function*(namespace: NamespaceName) {
        const stubs = yield* nomad.listJobs(namespace, settings.jobPrefix)
        const live = stubs.filter((stub) => stub.Stop !== true)
        jobCache.retain(namespace, new Set(live.map((stub) => stub.ID)))
        // Availability is secondary in a list: when discovery is down, what the resolver last saw stands in.
        const ready = yield* discovery.readyCounts(namespace).pipe(
          Effect.catch((error) =>
            Effect.logWarning(`listing functions without fresh availability: ${error.dependency}: ${error.message}`)
              .pipe(
                Effect.as(undefined)
              )
          )
        )
        const statuses = yield* Effect.forEach(live, (stub) => {
          const name = decodeFunctionName(stub.Meta?.[metaKeys.function] ?? stub.ID.slice(settings.jobPrefix.length))
          if (Option.isNone(name)) return Effect.succeed(undefined)
          const ref = { name: name.value, namespace }
          return jobCache.get(namespace, stub.ID, stub.JobModifyIndex ?? 0, nomad.readJob(namespace, stub.ID)).pipe(
            Effect.map(Option.match({
              onNone: () => undefined,
              onSome: (job) =>
                toFunctionStatus(job, ref.name, {
                  availableReplicas: ready === undefined
                    ? resolver.peek(refKey(ref))?.balancer.endpoints.length ?? 0
                    : ready.get(ref.name) ?? 0,
                  invocationCount: metrics.invocationCount(ref)
                })
            }))
          )
        }, { concurrency: 16 })
        return statuses.filter((s): s is FunctionStatus => s !== undefined)
      })

      const failure = (ref: FunctionRef) =>
        Effect.map(nomad.jobAllocations(ref.namespace, jobId(settings, ref.name)), (allocations) => {
          const wanted = allocations.filter((a) => a.DesiredStatus === "run")
          if (wanted.length === 0 || !wanted.every((a) => a.ClientStatus === "failed")) return undefined
          const latest = wanted.at(-1)!
          const events = Object.values(latest.TaskStates ?? {}).flatMap((state) => state.Events ?? [])
          // What ended the task, rather than the restart policy's verdict that follows it.
          const said = events.findLast((e) => e.Type !== "Not Restarting" && e.Type !== "Restarting") ?? events.at(-1)
          return said?.DisplayMessage || said?.Message || said?.DriverError || latest.ClientDescription || "failed"
        })

      return Functions.of({ deploy, update, scale, autoscale, remove, status, list, failure })
    })
  )
}
