/**
 * A function's Nomad job read back as a faas-provider `FunctionStatus`. Jobs
 * this provider wrote echo their deployment from Meta; jobs written by the
 * original faas-nomad are read from their structure, so an existing cluster's
 * functions show up too.
 */
import { Predicate } from "effect"
import type { FunctionDeployment } from "../domain/FunctionDeployment.ts"
import type { FunctionStatus } from "../domain/FunctionStatus.ts"
import type { Job, TaskGroup } from "../nomad/Job.ts"
import { labelKeys } from "./functionLabels.ts"
import { deploymentFromMeta, metaKeys } from "./jobMeta.ts"

export interface Observed {
  /** Instances that would serve a request now. */
  readonly availableReplicas: number
  readonly invocationCount: number
}

const zeroTime = "0001-01-01T00:00:00Z"

/** The task group that runs the function: the one named after it, else the only one. */
export const functionGroup = (job: Job, name: string): TaskGroup | undefined =>
  job.TaskGroups?.find((g) => g.Name === name) ?? (job.TaskGroups?.length === 1 ? job.TaskGroups[0] : undefined)

const nonEmpty = <A>(value: ReadonlyArray<A> | null | undefined) =>
  value !== null && value !== undefined && value.length > 0 ? value : undefined

const nonEmptyMap = (value: Readonly<Record<string, string>> | null | undefined) =>
  value !== null && value !== undefined && Object.keys(value).length > 0 ? value : undefined

const createdAt = (job: Job): string => {
  const recorded = job.Meta?.[metaKeys.createdAt]
  if (recorded !== undefined) return recorded
  return Predicate.isNumber(job.SubmitTime) && job.SubmitTime > 0
    ? new Date(Math.floor(job.SubmitTime / 1e6)).toISOString()
    : zeroTime
}

/** The deployment a job was made from, reconstructed when it predates this provider. */
export const deploymentOf = (job: Job, name: string): FunctionDeployment | undefined => {
  const recorded = deploymentFromMeta(job.Meta)
  if (recorded !== undefined) return recorded
  const task = functionGroup(job, name)?.Tasks[0]
  const image = task?.Config?.["image"]
  if (task === undefined || !Predicate.isString(image)) return undefined
  const { fprocess, ...envVars } = task.Env ?? {}
  return {
    service: name as FunctionDeployment["service"],
    image,
    ...(fprocess === undefined ? {} : { envProcess: fprocess }),
    envVars,
    labels: dockerLabels(task.Config?.["labels"]),
    annotations: job.Meta ?? {}
  }
}

/** Docker labels as the docker driver accepts them: a map, or (the original's) a list of one-key maps. */
const dockerLabels = (value: unknown): Record<string, string> => {
  const entries = Array.isArray(value) ? value : [value]
  const labels: Record<string, string> = {}
  for (const entry of entries) {
    if (!Predicate.isObject(entry)) continue
    for (const [k, v] of Object.entries(entry)) if (Predicate.isString(v)) labels[k] = v
  }
  return labels
}

export const toFunctionStatus = (
  job: Job,
  name: string,
  observed: Observed
): FunctionStatus | undefined => {
  const deployment = deploymentOf(job, name)
  if (deployment === undefined) return undefined
  const envVars = nonEmptyMap(deployment.envVars)
  const constraints = nonEmpty(deployment.constraints)
  const secrets = nonEmpty(deployment.secrets)
  return {
    name,
    image: deployment.image,
    namespace: job.Namespace ?? "default",
    ...(deployment.envProcess === undefined ? {} : { envProcess: deployment.envProcess }),
    ...(envVars === undefined ? {} : { envVars }),
    ...(constraints === undefined ? {} : { constraints }),
    ...(secrets === undefined ? {} : { secrets }),
    labels: { ...deployment.labels, [labelKeys.function]: name },
    annotations: { ...deployment.annotations },
    ...(deployment.limits == null ? {} : { limits: deployment.limits }),
    ...(deployment.requests == null ? {} : { requests: deployment.requests }),
    ...(deployment.readOnlyRootFilesystem === true ? { readOnlyRootFilesystem: true } : {}),
    invocationCount: observed.invocationCount,
    replicas: functionGroup(job, name)?.Count ?? 0,
    availableReplicas: observed.availableReplicas,
    createdAt: createdAt(job)
  }
}
