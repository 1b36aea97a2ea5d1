/** The Nomad service over the in-memory cluster: what tests and `faas-nomad dev` run on. */
import { Effect, Layer } from "effect"
import { JobIndexConflict, JobNotFound, JobRejected, Nomad } from "../../services/Nomad.ts"
import { type ClusterFailure, MemoryCluster } from "./MemoryCluster.ts"

const toNomadError = (jobId: string) => (failure: ClusterFailure) => {
  switch (failure._tag) {
    case "IndexConflict":
      return new JobIndexConflict({ jobId, message: failure.message })
    case "Rejected":
      return new JobRejected({ jobId, message: failure.message })
    case "JobNotFound":
      return new JobNotFound({ jobId })
  }
}

/** The Nomad service over `cluster`. */
export const make = (cluster: MemoryCluster["Service"]) =>
  Nomad.of({
    registerJob: (job, options) =>
      cluster.registerJob(job, options).pipe(
        Effect.mapError((failure) => {
          const error = toNomadError(job.ID)(failure)
          return error._tag === "JobNotFound" ? new JobRejected({ jobId: job.ID, message: "job not found" }) : error
        })
      ),
    readJob: cluster.readJob,
    listJobs: cluster.listJobs,
    deregisterJob: (namespace, jobId, { purge }) => cluster.deregisterJob(namespace, jobId, purge),
    scaleTaskGroup: (namespace, jobId, group, count) =>
      cluster.scaleTaskGroup(namespace, jobId, group, count).pipe(
        Effect.mapError((failure) => {
          const error = toNomadError(jobId)(failure)
          return error._tag === "JobIndexConflict" ? new JobRejected({ jobId, message: error.message }) : error
        })
      ),
    jobAllocations: cluster.jobAllocations,
    allocationLogs: (_namespace, allocId, task, stream, options) =>
      cluster.allocationLogs(allocId, task, stream, options),
    readNamespace: cluster.readNamespace,
    listNamespaces: cluster.listNamespaces
  })

export const layer: Layer.Layer<Nomad, never, MemoryCluster> = Layer.effect(Nomad, MemoryCluster.useSync(make))
