/** The Nomad service over the in-memory cluster: what tests and `faas-nomad dev` run on. */
import { Layer } from "effect"
import { Nomad } from "../../services/Nomad.ts"
import { MemoryCluster } from "./MemoryCluster.ts"

/** The Nomad service over `cluster`, whose operations fail with the service's own errors. */
export const make = (cluster: MemoryCluster["Service"]) =>
  Nomad.of({
    registerJob: cluster.registerJob,
    readJob: cluster.readJob,
    listJobs: cluster.listJobs,
    deregisterJob: (namespace, jobId, { purge }) => cluster.deregisterJob(namespace, jobId, purge),
    scaleTaskGroup: (namespace, jobId, group, count, _message, options) =>
      cluster.scaleTaskGroup(namespace, jobId, group, count, options?.enforceIndex),
    // In process, a list costs nothing: every change is told at once.
    watchJobs: (prefix) => cluster.watchJobs(prefix),
    jobAllocations: cluster.jobAllocations,
    allocationLogs: (_namespace, allocId, task, stream, options) =>
      cluster.allocationLogs(allocId, task, stream, options),
    readNamespace: cluster.readNamespace,
    listNamespaces: cluster.listNamespaces
  })

export const layer: Layer.Layer<Nomad, never, MemoryCluster> = Layer.effect(Nomad, MemoryCluster.useSync(make))
