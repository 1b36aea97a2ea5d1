/**
 * The Nomad service over Nomad's HTTP API. Each method is one documented
 * endpoint; Nomad's plain-text errors become typed ones: a check-and-set
 * conflict (a 500 starting "Enforcing job modify index"), a job Nomad refuses
 * (400, or a 500 carrying validation errors), our token refused (403), Nomad
 * failing (other 5xx, unreachable, too slow).
 */
import { Effect, Layer, Option, Schema, Stream } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { UpstreamError } from "../../domain/errors.ts"
import { AllocationListStub } from "../../nomad/Allocation.ts"
import { Job } from "../../nomad/Job.ts"
import { JobListStub } from "../../nomad/JobListStub.ts"
import { makeFrameDecoder } from "../../nomad/logFrames.ts"
import { Namespace } from "../../nomad/Namespace.ts"
import { JobIndexConflict, JobNotFound, JobRejected, Nomad } from "../../services/Nomad.ts"
import { decodeAnswer, unexpected } from "../http/answers.ts"
import type { ApiAnswer } from "../http/ApiClient.ts"
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

const segment = encodeURIComponent

/** The Nomad service over Nomad's HTTP API, through `client`. */
export const make = (client: NomadApi) => {
  const request = client.request

  const registerJob: Nomad["Service"]["registerJob"] = (job, options) => {
    const body = {
      Job: job,
      EnforceIndex: options.enforceIndex !== undefined,
      JobModifyIndex: options.enforceIndex ?? 0,
      PreserveCounts: options.preserveCounts === true
    }
    const what = `register job ${job.ID}`
    return client.send(
      HttpClientRequest.setBody(
        request("PUT", "/v1/jobs", { namespace: job.Namespace ?? "default" }),
        HttpBody.jsonUnsafe(body)
      ),
      { retry: "write" }
    ).pipe(Effect.flatMap((answer): Effect.Effect<
      { readonly jobModifyIndex: number; readonly evalId: string },
      JobIndexConflict | JobRejected | UpstreamError
    > => {
      if (answer.status === 200) {
        return Effect.map(decodeRegistration(answer, what), (r) => ({
          jobModifyIndex: r.JobModifyIndex,
          evalId: r.EvalID ?? ""
        }))
      }
      if (answer.status === 500 && answer.body.startsWith(casConflict)) {
        return Effect.fail(new JobIndexConflict({ jobId: job.ID, message: answer.body }))
      }
      if (answer.status === 400 || (answer.status === 500 && validationFailure.test(answer.body))) {
        return Effect.fail(new JobRejected({ jobId: job.ID, message: answer.body.trim() }))
      }
      return Effect.fail(unexpected("nomad", answer, what))
    }))
  }

  const readJob: Nomad["Service"]["readJob"] = (namespace, jobId) =>
    client.send(request("GET", `/v1/job/${segment(jobId)}`, { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 404
          ? Effect.succeedNone
          : answer.status === 200
          ? Effect.map(decodeJob(answer, `read job ${jobId}`), Option.some)
          : Effect.fail(unexpected("nomad", answer, `read job ${jobId}`))
      )
    )

  const listJobs: Nomad["Service"]["listJobs"] = (namespace, prefix) =>
    client.send(request("GET", "/v1/jobs", { namespace, prefix, meta: "true" }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200 ? decodeJobs(answer, "list jobs") : Effect.fail(unexpected("nomad", answer, "list jobs"))
      )
    )

  const deregisterJob: Nomad["Service"]["deregisterJob"] = (namespace, jobId, { purge }) =>
    client.send(request("DELETE", `/v1/job/${segment(jobId)}`, { namespace, purge: String(purge) }), { retry: "write" })
      .pipe(
        Effect.flatMap((answer) =>
          answer.status === 200
            ? Effect.map(
              decodeDeregistration(answer, `deregister job ${jobId}`),
              (r) => ({ existed: (r.EvalID ?? "") !== "" || (r.JobModifyIndex ?? 0) > 0 })
            )
            : Effect.fail(unexpected("nomad", answer, `deregister job ${jobId}`))
        )
      )

  const scaleTaskGroup: Nomad["Service"]["scaleTaskGroup"] = (namespace, jobId, group, count, message) => {
    const what = `scale job ${jobId}`
    const body = { Count: count, Target: { Group: group }, Message: message, Error: false, PolicyOverride: false }
    return client.send(
      HttpClientRequest.setBody(
        request("POST", `/v1/job/${segment(jobId)}/scale`, { namespace }),
        HttpBody.jsonUnsafe(body)
      ),
      { retry: "write" }
    ).pipe(
      Effect.flatMap((answer): Effect.Effect<void, JobNotFound | JobRejected | UpstreamError> =>
        answer.status === 200
          ? Effect.void
          : answer.status === 404
          ? Effect.fail(new JobNotFound({ jobId }))
          : answer.status === 400
          ? Effect.fail(new JobRejected({ jobId, message: answer.body.trim() }))
          : Effect.fail(unexpected("nomad", answer, what))
      )
    )
  }

  const jobAllocations: Nomad["Service"]["jobAllocations"] = (namespace, jobId) =>
    client.send(request("GET", `/v1/job/${segment(jobId)}/allocations`, { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        answer.status === 200
          ? decodeAllocations(answer, `allocations of ${jobId}`)
          : answer.status === 404
          ? Effect.succeed([])
          : Effect.fail(unexpected("nomad", answer, `allocations of ${jobId}`))
      )
    )

  const allocationLogs: Nomad["Service"]["allocationLogs"] = (namespace, allocId, task, stream, options) => {
    const query: Record<string, string> = { namespace, task, type: stream, follow: String(options.follow) }
    if (options.fromEndBytes !== undefined) {
      query["origin"] = "end"
      query["offset"] = String(options.fromEndBytes)
    }
    const what = `logs of allocation ${allocId}`
    return Stream.unwrap(
      client.open(request("GET", `/v1/client/fs/logs/${segment(allocId)}`, query), { retry: "read" }).pipe(
        Effect.flatMap((response) => {
          if (response.status === 200) {
            const decode = makeFrameDecoder()
            const text = new TextDecoder()
            return Effect.succeed(
              response.stream.pipe(
                Stream.mapError((e) =>
                  new UpstreamError({ dependency: "nomad", reason: "Unavailable", message: `${what}: ${e.message}` })
                ),
                Stream.flatMap((chunk) => Stream.fromIterable(decode(text.decode(chunk, { stream: true }))))
              )
            )
          }
          // A task not started yet has no logs: nothing to show rather than an error.
          return Effect.flatMap(
            response.text.pipe(Effect.orElseSucceed(() => "")),
            (body) =>
              response.status === 404
                ? Effect.succeed(Stream.empty)
                : Effect.fail(unexpected("nomad", { status: response.status, headers: response.headers, body }, what))
          )
        })
      )
    )
  }

  const readNamespace: Nomad["Service"]["readNamespace"] = (name) =>
    client.send(request("GET", `/v1/namespace/${segment(name)}`, {}), { retry: "read" }).pipe(
      Effect.flatMap((answer: ApiAnswer) =>
        answer.status === 404
          ? Effect.succeedNone
          : answer.status === 200
          ? Effect.map(decodeNamespace(answer, `read namespace ${name}`), Option.some)
          : Effect.fail(unexpected("nomad", answer, `read namespace ${name}`))
      )
    )

  const listNamespaces: Nomad["Service"]["listNamespaces"] = client.send(request("GET", "/v1/namespaces", {}), {
    retry: "read"
  }).pipe(
    Effect.flatMap((answer) =>
      answer.status === 200
        ? decodeNamespaces(answer, "list namespaces")
        : Effect.fail(unexpected("nomad", answer, "list namespaces"))
    )
  )

  return Nomad.of({
    registerJob,
    readJob,
    listJobs,
    deregisterJob,
    scaleTaskGroup,
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
