/**
 * The Nomad service over Nomad's HTTP API. Each method is one documented
 * endpoint, its statuses read from one table; Nomad's plain-text errors
 * become typed ones: a check-and-set conflict (a 500 starting "Enforcing job
 * modify index"), a job Nomad refuses (400, or a 500 carrying validation
 * errors), a scale refused while a deployment runs, our token refused (403),
 * Nomad failing (other 5xx, unreachable, too slow).
 */
import { Effect, Layer, Option, Result, Schema, Stream } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { UpstreamError } from "../../domain/errors.ts"
import { AllocationListStub } from "../../nomad/Allocation.ts"
import { Job } from "../../nomad/Job.ts"
import { JobListStub } from "../../nomad/JobListStub.ts"
import { makeFrameDecoder } from "../../nomad/logFrames.ts"
import { Namespace } from "../../nomad/Namespace.ts"
import { revealRedacted } from "../../nomad/redactedConfig.ts"
import {
  JobIndexConflict,
  JobNotFound,
  type JobRegistration,
  JobRejected,
  Nomad,
  ScaleBlocked
} from "../../services/Nomad.ts"
import { decodeAnswer, matchStatus, unexpected } from "../http/answers.ts"
import type { ApiAnswer } from "../http/ApiClient.ts"
import { blockingParams, blockingTimeout, blockingWatch } from "../http/blockingWatch.ts"
import { type NomadApi, NomadApiClient } from "./NomadApiClient.ts"

const JobRegisterResponse = Schema.Struct({
  EvalID: Schema.optionalKey(Schema.NullOr(Schema.String)),
  JobModifyIndex: Schema.Number
})

const decodeJob = decodeAnswer("nomad", Job)
const decodeJobs = decodeAnswer("nomad", Schema.Array(JobListStub))
const decodeAllocations = decodeAnswer("nomad", Schema.Array(AllocationListStub))
const decodeNamespace = decodeAnswer("nomad", Namespace)
const decodeNamespaces = decodeAnswer("nomad", Schema.Array(Namespace))
const decodeRegistration = decodeAnswer("nomad", JobRegisterResponse)
const decodeDeregistration = decodeAnswer(
  "nomad",
  Schema.Struct({
    EvalID: Schema.optionalKey(Schema.NullOr(Schema.String)),
    JobModifyIndex: Schema.optionalKey(Schema.NullOr(Schema.Number))
  })
)

const casConflict = "Enforcing job modify index"
/** How Nomad words a job it will not accept: a multierror list, or a validation sentence. */
const validationFailure = /\d+ errors? occurred|validation failed|nonexistent namespace/i
/** How Nomad words a scale it refuses while a deployment of the job runs. */
const deploymentRunning = /active deployment/i

const segment = encodeURIComponent

const answerIndex = (answer: ApiAnswer) => Number(answer.headers["x-nomad-index"] ?? 0) || 0

/** How much longer than Nomad holds a blocking query its call may take. */
const blockingSlackMillis = 10_000

/** The Nomad service over Nomad's HTTP API, through `client`. */
export const make = (client: NomadApi) => {
  const request = client.request
  const otherwise = (what: string) => (answer: ApiAnswer) => Effect.fail(unexpected("nomad", answer, what))

  const registerJob: Nomad["Service"]["registerJob"] = (job, options) => {
    const body = {
      Job: revealRedacted(job),
      EnforceIndex: options.enforceIndex !== undefined,
      JobModifyIndex: options.enforceIndex ?? 0,
      PreserveCounts: options.preserveCounts === true
    }
    const what = `register job ${job.ID}`
    const rejected = (answer: ApiAnswer) => Effect.fail(new JobRejected({ jobId: job.ID, message: answer.body.trim() }))
    return client.send(
      HttpClientRequest.setBody(
        request("PUT", "/v1/jobs", { namespace: job.Namespace ?? "default" }),
        HttpBody.jsonUnsafe(body)
      ),
      { retry: "write" }
    ).pipe(
      Effect.flatMap((answer) =>
        matchStatus<JobRegistration, JobIndexConflict | JobRejected | UpstreamError>(answer, {
          200: (ok) =>
            Effect.map(decodeRegistration(ok, what), (r) => ({
              jobModifyIndex: r.JobModifyIndex,
              evalId: r.EvalID ?? ""
            })),
          400: rejected,
          500: (failed) =>
            failed.body.startsWith(casConflict)
              ? Effect.fail(new JobIndexConflict({ jobId: job.ID, message: failed.body }))
              : validationFailure.test(failed.body)
              ? rejected(failed)
              : otherwise(what)(failed),
          orElse: otherwise(what)
        })
      )
    )
  }

  const readJob: Nomad["Service"]["readJob"] = (namespace, jobId) => {
    const what = `read job ${jobId}`
    return client.send(request("GET", `/v1/job/${segment(jobId)}`, { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => Effect.map(decodeJob(ok, what), Option.some),
          404: () => Effect.succeedNone,
          orElse: otherwise(what)
        })
      )
    )
  }

  const listJobs: Nomad["Service"]["listJobs"] = (namespace, prefix) =>
    client.send(request("GET", "/v1/jobs", { namespace, prefix, meta: "true" }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, { 200: (ok) => decodeJobs(ok, "list jobs"), orElse: otherwise("list jobs") })
      )
    )

  const deregisterJob: Nomad["Service"]["deregisterJob"] = (namespace, jobId, { purge }) => {
    const what = `deregister job ${jobId}`
    return client.send(
      request("DELETE", `/v1/job/${segment(jobId)}`, { namespace, purge: String(purge) }),
      { retry: "write" }
    ).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          // Nomad answers a missing job with no evaluation.
          200: (ok) =>
            Effect.map(
              decodeDeregistration(ok, what),
              (r) => ({ existed: (r.EvalID ?? "") !== "" || (r.JobModifyIndex ?? 0) > 0 })
            ),
          orElse: otherwise(what)
        })
      )
    )
  }

  const scaleTaskGroup: Nomad["Service"]["scaleTaskGroup"] = (namespace, jobId, group, count, message, options) => {
    const what = `scale job ${jobId}`
    const body = {
      Count: count,
      Target: { Group: group },
      Message: message,
      Error: false,
      PolicyOverride: false,
      // Nomad checks it only when above 0, as a job's modify index always is.
      JobModifyIndex: options?.enforceIndex ?? 0
    }
    return client.send(
      HttpClientRequest.setBody(
        request("POST", `/v1/job/${segment(jobId)}/scale`, { namespace }),
        HttpBody.jsonUnsafe(body)
      ),
      { retry: "write" }
    ).pipe(
      Effect.flatMap((answer) =>
        matchStatus<void, JobNotFound | JobRejected | ScaleBlocked | JobIndexConflict | UpstreamError>(answer, {
          200: () => Effect.void,
          400: (refused) => {
            const text = refused.body.trim()
            return Effect.fail(
              deploymentRunning.test(text)
                ? new ScaleBlocked({ jobId, message: text })
                : new JobRejected({ jobId, message: text })
            )
          },
          404: () => Effect.fail(new JobNotFound({ jobId })),
          500: (failed) =>
            failed.body.startsWith(casConflict)
              ? Effect.fail(new JobIndexConflict({ jobId, message: failed.body.trim() }))
              : otherwise(what)(failed),
          orElse: otherwise(what)
        })
      )
    )
  }

  const watchJobs: Nomad["Service"]["watchJobs"] = (prefix, spacing) =>
    blockingWatch(
      (index) =>
        client.send(
          request("GET", "/v1/jobs", { namespace: "*", prefix, meta: "true", ...blockingParams(index) }),
          { retry: "read", timeout: blockingTimeout(index, blockingSlackMillis) }
        ).pipe(
          Effect.flatMap((answer) =>
            matchStatus(answer, {
              200: (ok) => Effect.map(decodeJobs(ok, "watch jobs"), (value) => ({ index: answerIndex(ok), value })),
              orElse: otherwise("watch jobs")
            })
          )
        ),
      // The list's index moves with every allocation's status; only a job's own change is news.
      (stubs) => stubs.map((stub) => `${stub.Namespace}/${stub.ID}@${stub.JobModifyIndex}:${stub.Stop}`).join(","),
      spacing
    )

  const jobAllocations: Nomad["Service"]["jobAllocations"] = (namespace, jobId) => {
    const what = `allocations of ${jobId}`
    return client.send(request("GET", `/v1/job/${segment(jobId)}/allocations`, { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => decodeAllocations(ok, what),
          404: () => Effect.succeed([]),
          orElse: otherwise(what)
        })
      )
    )
  }

  const allocationLogs: Nomad["Service"]["allocationLogs"] = (namespace, allocId, task, stream, options) => {
    const query: Record<string, string> = { namespace, task, type: stream, follow: String(options.follow) }
    if (options.fromEndBytes !== undefined) {
      query["origin"] = "end"
      query["offset"] = String(options.fromEndBytes)
    }
    const what = `logs of allocation ${allocId}`
    const failed = (reason: UpstreamError["reason"], message: string) =>
      new UpstreamError({ dependency: "nomad", reason, message: `${what}: ${message}` })
    return Stream.unwrap(
      client.open(request("GET", `/v1/client/fs/logs/${segment(allocId)}`, query), { retry: "read" }).pipe(
        Effect.flatMap((response) => {
          if (response.status === 200) {
            const decode = makeFrameDecoder()
            const text = new TextDecoder()
            return Effect.succeed(
              response.stream.pipe(
                Stream.mapError((e) => failed("Unavailable", e.message)),
                Stream.flatMap((chunk) =>
                  Result.match(decode(text.decode(chunk, { stream: true })), {
                    onSuccess: Stream.fromIterable,
                    onFailure: (problem) => Stream.fail(failed("BadResponse", problem))
                  })
                )
              )
            )
          }
          // A task not started yet has no logs: nothing to show rather than an error.
          return Effect.flatMap(
            response.text.pipe(Effect.orElseSucceed(() => "")),
            (body) =>
              matchStatus(
                { status: response.status, headers: response.headers, body },
                { 404: () => Effect.succeed(Stream.empty), orElse: otherwise(what) }
              )
          )
        })
      )
    )
  }

  const readNamespace: Nomad["Service"]["readNamespace"] = (name) => {
    const what = `read namespace ${name}`
    return client.send(request("GET", `/v1/namespace/${segment(name)}`, {}), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => Effect.map(decodeNamespace(ok, what), Option.some),
          404: () => Effect.succeedNone,
          orElse: otherwise(what)
        })
      )
    )
  }

  const listNamespaces: Nomad["Service"]["listNamespaces"] = client.send(request("GET", "/v1/namespaces", {}), {
    retry: "read"
  }).pipe(
    Effect.flatMap((answer) =>
      matchStatus(answer, {
        200: (ok) => decodeNamespaces(ok, "list namespaces"),
        orElse: otherwise("list namespaces")
      })
    )
  )

  return Nomad.of({
    registerJob,
    readJob,
    listJobs,
    deregisterJob,
    scaleTaskGroup,
    watchJobs,
    jobAllocations,
    allocationLogs,
    readNamespace,
    listNamespaces
  })
}

export const layer: Layer.Layer<Nomad, never, NomadApiClient> = Layer.effect(
  Nomad,
  Effect.map(Effect.service(NomadApiClient), make)
)
