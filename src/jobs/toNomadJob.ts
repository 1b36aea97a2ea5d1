/**
 * A function deployment as a Nomad service job: one task group and one docker
 * task named after the function, a dynamic port `http` mapped to the
 * watchdog's 8080, a service with an HTTP health check, the registry
 * credentials, volumes and update strategy the deployment asks for, and the
 * deployment kept in the job's Meta so that it reads back byte for byte. Pure:
 * the same inputs always give the same job, or every problem at once.
 */
import { Duration, Result } from "effect"
import type { FunctionDeployment } from "../domain/FunctionDeployment.ts"
import type { Job, Service, Task, TaskGroup } from "../nomad/Job.ts"
import { parseConstraints } from "./constraints.ts"
import { environmentProblems } from "./environment.ts"
import { healthInitialDelay, healthPath, labelKeys } from "./functionLabels.ts"
import { encodeDeployment, metaKeys } from "./jobMeta.ts"
import { jobId, type JobSettings, serviceName, serviceNameProblem } from "./JobSettings.ts"
import { proxySettingTags } from "./proxySettings.ts"
import { chooseRegistryAuth, dockerAuthBlock, type RegistryAuth } from "./registryAuth.ts"
import { toTaskResources } from "./resources.ts"
import { scalingBlock } from "./scalingBlock.ts"
import { readScalingPolicy } from "./scalingPolicy.ts"
import { secretMounts, withSecretMounts } from "./secretTemplates.ts"
import { defaultUpdate, toUpdateStrategy } from "./updateStrategy.ts"
import { toVolumeStanzas } from "./volumes.ts"

/** The watchdog's port inside the container. */
export const watchdogPort = 8080
export const httpPortLabel = "http"

const seconds = (n: number) => n * 1_000_000_000

/** Documented defaults: see the README's "How a function becomes a Nomad job". */
export const jobDefaults = {
  priority: 50,
  restart: { Attempts: 10, Interval: seconds(300), Delay: seconds(5), Mode: "delay" },
  update: defaultUpdate,
  check: { Interval: seconds(5), Timeout: seconds(2) },
  checkRestart: { Limit: 3, Grace: seconds(10) },
  logs: { MaxFiles: 5, MaxFileSizeMB: 10 },
  tmpfsBytes: 64 * 2 ** 20
} as const

export interface Placement {
  readonly namespace: string
  /** Desired instances of the task group. */
  readonly count: number
  /** RFC 3339; kept across updates. */
  readonly createdAt: string
  /** The function's registry credentials now: kept when the deployment does not give `registryAuth`. */
  readonly registryAuth?: RegistryAuth | undefined
}

export const toNomadJob = (
  deployment: FunctionDeployment,
  placement: Placement,
  settings: JobSettings
): Result.Result<Job, ReadonlyArray<string>> => {
  const name = deployment.service
  const problems: Array<string> = []
  const nameProblem = serviceNameProblem(settings, name)
  if (nameProblem !== undefined) problems.push(nameProblem)

  problems.push(...environmentProblems(deployment.envVars, deployment.envProcess))
  const placementRules = parseConstraints(deployment.constraints ?? [])
  problems.push(...placementRules.problems)
  const taskResources = toTaskResources(deployment.requests, deployment.limits)
  problems.push(...taskResources.problems)
  const update = toUpdateStrategy(deployment.labels, settings.maxReplicas)
  const readers = {
    checkPath: healthPath(deployment.annotations),
    initialDelay: healthInitialDelay(deployment.annotations),
    proxyTags: proxySettingTags(deployment.labels),
    scaling: readScalingPolicy(deployment.labels, settings.maxReplicas),
    registry: chooseRegistryAuth(
      deployment.registryAuth,
      placement.registryAuth,
      settings.registryCredentials,
      deployment.image
    ),
    update,
    volumes: toVolumeStanzas(deployment.annotations, {
      count: placement.count,
      canaries: Result.isSuccess(update) ? update.success.Canary ?? 0 : 0,
      readOnlyRootFilesystem: deployment.readOnlyRootFilesystem === true
    })
  }
  for (const read of Object.values(readers) as ReadonlyArray<Result.Result<unknown, string | ReadonlyArray<string>>>) {
    if (Result.isFailure(read)) problems.push(...(typeof read.failure === "string" ? [read.failure] : read.failure))
  }
  const read = Result.all(readers)
  if (problems.length > 0 || Result.isFailure(read)) return Result.fail(problems)
  const { checkPath, initialDelay, proxyTags, registry, scaling, volumes } = read.success

  const labels = { ...deployment.labels, [labelKeys.function]: name }
  const env = {
    ...deployment.envVars,
    ...(deployment.envProcess === undefined ? {} : { fprocess: deployment.envProcess })
  }
  const readOnly = deployment.readOnlyRootFilesystem === true

  const task: Task = {
    Name: name,
    Driver: "docker",
    Config: {
      image: deployment.image,
      ports: [httpPortLabel],
      labels,
      ...(registry === undefined ? {} : { auth: dockerAuthBlock(registry.auth) }),
      ...(readOnly
        ? {
          readonly_rootfs: true,
          mount: [{ type: "tmpfs", target: "/tmp", readonly: false, tmpfs_options: { size: jobDefaults.tmpfsBytes } }]
        }
        : {})
    },
    Env: env,
    Resources: taskResources.resources,
    LogConfig: jobDefaults.logs,
    ...(volumes === undefined ? {} : { VolumeMounts: volumes.mounts })
  }

  const service: Service = {
    Name: serviceName(settings, name),
    PortLabel: httpPortLabel,
    Provider: settings.serviceProvider,
    Tags: ["openfaas", `openfaas-namespace-${placement.namespace}`, ...proxyTags],
    Meta: { openfaas_function: name, openfaas_namespace: placement.namespace },
    Checks: [{
      Name: `${name} watchdog health`,
      Type: "http",
      Path: checkPath,
      PortLabel: httpPortLabel,
      Interval: jobDefaults.check.Interval,
      Timeout: jobDefaults.check.Timeout,
      CheckRestart: {
        Limit: jobDefaults.checkRestart.Limit,
        Grace: initialDelay === undefined
          ? jobDefaults.checkRestart.Grace
          : Math.max(jobDefaults.checkRestart.Grace, Duration.toMillis(initialDelay) * 1_000_000)
      }
    }]
  }

  const mounted = withSecretMounts(task, secretMounts(settings.secrets, placement.namespace, deployment.secrets ?? []))

  const group: TaskGroup = {
    Name: name,
    Count: placement.count,
    Networks: [{ Mode: settings.networkMode, DynamicPorts: [{ Label: httpPortLabel, To: watchdogPort }] }],
    Services: [service],
    RestartPolicy: jobDefaults.restart,
    ...(volumes === undefined ? {} : { Volumes: volumes.volumes }),
    // autoscaler=nomad: the Nomad Autoscaler scales it, within bounds Nomad enforces on every count.
    ...(settings.scaling === undefined || scaling === undefined
      ? {}
      : { Scaling: scalingBlock(scaling, { name, namespace: placement.namespace }, settings.scaling) }),
    Tasks: [mounted]
  }

  const id = jobId(settings, name)
  return Result.succeed({
    ID: id,
    Name: id,
    Namespace: placement.namespace,
    ...(settings.region === undefined ? {} : { Region: settings.region }),
    Type: "service",
    Priority: jobDefaults.priority,
    Datacenters: placementRules.datacenters.length > 0 ? placementRules.datacenters : settings.datacenters,
    Meta: {
      [metaKeys.function]: name,
      [metaKeys.deployment]: encodeDeployment(deployment),
      [metaKeys.createdAt]: placement.createdAt,
      ...(registry === undefined ? {} : { [metaKeys.registryAuth]: registry.source })
    },
    ...(placementRules.constraints.length === 0 ? {} : { Constraints: placementRules.constraints }),
    Update: read.success.update,
    TaskGroups: [group]
  })
}
