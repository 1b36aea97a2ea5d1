/**
 * A function's job read from Nomad: one that exists and is not stopped.
 * Deleted functions are purged; a stopped job is not a function.
 */
import { Effect, Option } from "effect"
import { FunctionNotFound, type UpstreamError } from "../domain/errors.ts"
import type { FunctionRef } from "../domain/FunctionName.ts"
import { jobId, type JobSettings } from "../jobs/JobSettings.ts"
import type { Job } from "../nomad/Job.ts"
import type { Nomad } from "../services/Nomad.ts"

export const readFunctionJob = (
  nomad: Nomad["Service"],
  settings: JobSettings,
  ref: FunctionRef
): Effect.Effect<Job, FunctionNotFound | UpstreamError> =>
  nomad.readJob(ref.namespace, jobId(settings, ref.name)).pipe(
    Effect.flatMap((job) =>
      Option.isSome(job) && job.value.Stop !== true ? Effect.succeed(job.value) : Effect.fail(new FunctionNotFound(ref))
    )
  )
