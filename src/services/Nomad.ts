/**
 * The narrow part of Nomad's API the provider uses, in Nomad's own terms.
 * Routes never see it; the use cases do (`Functions`, `FunctionLogs`,
 * `Namespaces`), and do not know whether they talk to a real cluster, a
 * simulator or the in-memory one.
 */
import { Context, type Duration, type Effect, type Option, Schema, type Stream } from "effect"
import type { UpstreamError } from "../domain/errors.ts"
import type { AllocationListStub } from "../nomad/Allocation.ts"
import type { Job } from "../nomad/Job.ts"
import type { JobListStub } from "../nomad/JobListStub.ts"
import type { Namespace } from "../nomad/Namespace.ts"

/** A check-and-set write found a different `JobModifyIndex` (or none, or one) than it expected. */
export class JobIndexConflict extends Schema.TaggedError<JobIndexConflict>()("JobIndexConflict", {
  jobId: Schema.String,
  message: Schema.String
}) {}

export class JobNotFound extends Schema.TaggedError<JobNotFound>()("JobNotFound", {
  jobId: Schema.String
}) {}

/** Nomad refused the job itself (validation), as opposed to being unavailable. */
export class JobRejected extends Schema.TaggedError<JobRejected>()("JobRejected", {
  jobId: Schema.String,
  message: Schema.String
}) {}

/** Nomad refuses to scale a job while a deployment of it runs; a new version of the job supersedes the deployment. */
export class ScaleBlocked extends Schema.TaggedError<ScaleBlocked>()("ScaleBlocked", {
  jobId: Schema.String,
  message: Schema.String
}) {}

export interface RegisterOptions {
  /**
   * Check-and-set: register only if the job's current `JobModifyIndex` equals
   * this; 0 means "only if the job does not exist".
   */
  readonly enforceIndex?: number | undefined
  /** Keep each task group's current count instead of the one in the job. */
  readonly preserveCounts?: boolean | undefined
}

export interface JobRegistration {
  readonly jobModifyIndex: number
  readonly evalId: string
}

export class Nomad extends Context.Service<Nomad, {
  readonly registerJob: (
    job: Job,
    options: RegisterOptions
  ) => Effect.Effect<JobRegistration, JobIndexConflict | JobRejected | UpstreamError>
  readonly readJob: (namespace: string, jobId: string) => Effect.Effect<Option.Option<Job>, UpstreamError>
  /** Jobs whose ID starts with `prefix`, with their Meta and allocation summary. */
  readonly listJobs: (namespace: string, prefix: string) => Effect.Effect<ReadonlyArray<JobListStub>, UpstreamError>
  /**
   * Stops the job; with `purge` it is gone at once. Deregistering a missing job
   * succeeds too; `existed` tells the two apart (Nomad answers a missing job with
   * no evaluation), so of two racing deletes only one finds the job.
   */
  readonly deregisterJob: (
    namespace: string,
    jobId: string,
    options: { readonly purge: boolean }
  ) => Effect.Effect<{ readonly existed: boolean }, UpstreamError>
  /**
   * Sets one task group's count through the scale endpoint, recording `message` as a scaling event; with
   * `enforceIndex`, only if the job's `JobModifyIndex` still is that (check-and-set, as registering).
   */
  readonly scaleTaskGroup: (
    namespace: string,
    jobId: string,
    group: string,
    count: number,
    message: string,
    options?: { readonly enforceIndex?: number | undefined }
  ) => Effect.Effect<void, JobNotFound | JobRejected | ScaleBlocked | JobIndexConflict | UpstreamError>
  /**
   * The jobs whose ID starts with `prefix` in every namespace the token may read, with their Meta: the first
   * list, then a new one each time one of them changes (a blocking query; no request while nothing does), at
   * most once per `spacing`, so a burst of deploys costs one list per `spacing`, not one per deploy.
   */
  readonly watchJobs: (
    prefix: string,
    spacing: Duration.Duration
  ) => Stream.Stream<ReadonlyArray<JobListStub>, UpstreamError>
  readonly jobAllocations: (
    namespace: string,
    jobId: string
  ) => Effect.Effect<ReadonlyArray<AllocationListStub>, UpstreamError>
  /**
   * A task's stdout or stderr, as bytes: what is there (the last `fromEndBytes`
   * of it when given), then, with `follow`, what comes until the task stops.
   */
  readonly allocationLogs: (
    namespace: string,
    allocId: string,
    task: string,
    stream: "stdout" | "stderr",
    options: { readonly follow: boolean; readonly fromEndBytes?: number | undefined }
  ) => Stream.Stream<Uint8Array, UpstreamError>
  readonly readNamespace: (name: string) => Effect.Effect<Option.Option<Namespace>, UpstreamError>
  readonly listNamespaces: Effect.Effect<ReadonlyArray<Namespace>, UpstreamError>
}>()("faas-nomad/Nomad") {}
