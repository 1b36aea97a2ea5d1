import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import type { JobSettings } from "../../src/jobs/JobSettings.ts"
import { toFunctionStatus } from "../../src/jobs/toFunctionStatus.ts"
import { jobDefaults, toNomadJob } from "../../src/jobs/toNomadJob.ts"
import type { Job } from "../../src/nomad/Job.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

const settings = defaultJobSettings

const decode = Schema.decodeUnknownSync(FunctionDeployment)
const placement = { namespace: "default", count: 2, createdAt: "2026-11-29T10:00:00.000Z" }

const build = (input: Record<string, unknown>, s: JobSettings = settings): Job => {
  const result = toNomadJob(
    decode({ service: "figlet", image: "ghcr.io/openfaas/figlet:latest", ...input }),
    placement,
    s
  )
  if (Result.isFailure(result)) throw new Error(result.failure.join("\n"))
  return result.success
}

const problems = (input: Record<string, unknown>): ReadonlyArray<string> => {
  const result = toNomadJob(decode({ service: "figlet", image: "x", ...input }), placement, settings)
  return Result.isFailure(result) ? result.failure : []
}

describe("toNomadJob", () => {
  it("makes a service job with one group and one docker task named after the function", () => {
    const job = build({ envProcess: "figlet", envVars: { A: "1" }, labels: { team: "x" } })
    expect(job.ID).toBe("OpenFaaS-figlet")
    expect(job.Name).toBe("OpenFaaS-figlet")
    expect(job.Type).toBe("service")
    expect(job.Namespace).toBe("default")
    expect(job.Datacenters).toEqual(["*"])
    expect(job.TaskGroups).toHaveLength(1)
    const group = job.TaskGroups![0]!
    expect(group.Name).toBe("figlet")
    expect(group.Count).toBe(2)
    expect(group.Networks).toEqual([{ Mode: "host", DynamicPorts: [{ Label: "http", To: 8080 }] }])
    expect(group.RestartPolicy).toEqual(jobDefaults.restart)
    expect(job.Update).toEqual(jobDefaults.update)
    const task = group.Tasks[0]!
    expect(task.Name).toBe("figlet")
    expect(task.Driver).toBe("docker")
    expect(task.Config).toEqual({
      image: "ghcr.io/openfaas/figlet:latest",
      ports: ["http"],
      labels: { team: "x", faas_function: "figlet" }
    })
    expect(task.Env).toEqual({ A: "1", fprocess: "figlet" })
    expect(task.Resources).toEqual({ CPU: 100, MemoryMB: 128 })
  })

  it("registers a service with an HTTP health check on the watchdog", () => {
    const service = build({}).TaskGroups![0]!.Services![0]!
    expect(service.Name).toBe("openfaas-figlet")
    expect(service.PortLabel).toBe("http")
    expect(service.Provider).toBe("consul")
    expect(service.Meta).toEqual({ openfaas_function: "figlet", openfaas_namespace: "default" })
    expect(service.Checks).toEqual([{
      Name: "figlet watchdog health",
      Type: "http",
      Path: "/_/health",
      PortLabel: "http",
      Interval: 5_000_000_000,
      Timeout: 2_000_000_000,
      CheckRestart: { Limit: 3, Grace: 10_000_000_000 }
    }])
    const nomad = build({}, { ...settings, serviceProvider: "nomad" }).TaskGroups![0]!.Services![0]!
    expect(nomad.Provider).toBe("nomad")
  })

  it("takes the health path and initial delay from OpenFaaS annotations", () => {
    const check = build({
      annotations: { "com.openfaas.health.http.path": "/ready", "com.openfaas.health.http.initialDelay": "30s" }
    }).TaskGroups![0]!.Services![0]!.Checks![0]!
    expect(check.Path).toBe("/ready")
    expect(check.CheckRestart?.Grace).toBe(30_000_000_000)
    expect(problems({ annotations: { "com.openfaas.health.http.path": "ready" } })[0]).toContain("health.http.path")
  })

  it("keeps the deployment in Meta, so the status echoes it byte for byte", () => {
    const sent = {
      service: "figlet",
      image: "ghcr.io/openfaas/figlet:latest",
      envProcess: "figlet -f slant",
      envVars: { A: "1" },
      labels: { "com.openfaas.scale.min": "2" },
      annotations: { note: "α\n\"quoted\"\ttabbed" },
      limits: { memory: "128Mi", cpu: "0.5" },
      requests: { cpu: "100m" },
      constraints: ["${attr.kernel.name} = linux"],
      secrets: ["api-key"]
    }
    const job = build(sent)
    const status = toFunctionStatus(job, "figlet", { availableReplicas: 1, invocationCount: 7 })!
    expect(status).toEqual({
      name: "figlet",
      image: sent.image,
      namespace: "default",
      envProcess: sent.envProcess,
      envVars: sent.envVars,
      constraints: sent.constraints,
      secrets: sent.secrets,
      labels: { ...sent.labels, faas_function: "figlet" },
      annotations: sent.annotations,
      limits: sent.limits,
      requests: sent.requests,
      invocationCount: 7,
      replicas: 2,
      availableReplicas: 1,
      createdAt: placement.createdAt
    })
  })

  it("reads back jobs written by the original faas-nomad from their structure", () => {
    const original: Job = {
      ID: "OpenFaaS-legacy",
      Namespace: "default",
      Meta: { team: "ops" },
      SubmitTime: 1_700_000_000_000_000_000,
      TaskGroups: [{
        Name: "legacy",
        Count: 3,
        Tasks: [{
          Name: "legacy",
          Driver: "docker",
          Config: { image: "functions/alpine:latest", labels: [{ a: "1" }, { b: "2" }] },
          Env: { fprocess: "cat", X: "y" }
        }]
      }]
    }
    const status = toFunctionStatus(original, "legacy", { availableReplicas: 2, invocationCount: 0 })!
    expect(status.image).toBe("functions/alpine:latest")
    expect(status.envProcess).toBe("cat")
    expect(status.envVars).toEqual({ X: "y" })
    expect(status.labels).toEqual({ a: "1", b: "2", faas_function: "legacy" })
    expect(status.annotations).toEqual({ team: "ops" })
    expect(status.replicas).toBe(3)
    expect(status.createdAt).toBe(new Date(1_700_000_000_000).toISOString())
  })

  it("reads node.datacenter constraints as datacenters and the rest as Nomad constraints", () => {
    const job = build({
      constraints: [
        "node.datacenter == dc1",
        "node.datacenter == dc2",
        "${attr.kernel.name} == linux",
        "meta.rack != r1",
        "node.platform.arch == amd64",
        "${attr.driver.docker.version} version >= 20.0",
        "${meta.gpu} is_set",
        "node.datacenter != dc3",
        "node.class=batch",
        "distinct_hosts"
      ]
    })
    expect(job.Datacenters).toEqual(["dc1", "dc2"])
    expect(job.Constraints).toEqual([
      { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" },
      { LTarget: "${meta.rack}", Operand: "!=", RTarget: "r1" },
      { LTarget: "${attr.cpu.arch}", Operand: "=", RTarget: "amd64" },
      { LTarget: "${attr.driver.docker.version}", Operand: "version", RTarget: ">= 20.0" },
      { LTarget: "${meta.gpu}", Operand: "is_set" },
      { LTarget: "${node.datacenter}", Operand: "!=", RTarget: "dc3" },
      { LTarget: "${node.class}", Operand: "=", RTarget: "batch" },
      { Operand: "distinct_hosts", RTarget: "true" }
    ])
  })

  it("reports constraints it cannot read instead of dropping them", () => {
    expect(problems({ constraints: ["just-a-word"] })[0]).toContain(`"just-a-word" is not understood`)
  })

  it("turns Kubernetes quantities into Nomad resources, respecting Nomad's minimums", () => {
    const resources = (limits: unknown, requests?: unknown) =>
      build({ limits, ...(requests === undefined ? {} : { requests }) }).TaskGroups![0]!.Tasks[0]!.Resources
    expect(resources({ memory: "128Mi", cpu: "500m" })).toEqual({ CPU: 500, MemoryMB: 128 })
    expect(resources({ memory: "1Gi", cpu: "2" })).toEqual({ CPU: 2000, MemoryMB: 1024 })
    expect(resources({ memory: "100M" })).toEqual({ CPU: 100, MemoryMB: 96 })
    expect(resources({ memory: "1Ki", cpu: "1m" })).toEqual({ CPU: 1, MemoryMB: 10 })
    expect(resources({ cpu: "800MHz" })).toEqual({ CPU: 800, MemoryMB: 128 })
    expect(resources({ memory: "512Mi" }, { memory: "256Mi", cpu: "250m" })).toEqual({
      CPU: 250,
      MemoryMB: 256,
      MemoryMaxMB: 512
    })
    expect(resources({ "nvidia.com/gpu": "2" })).toEqual({
      CPU: 100,
      MemoryMB: 128,
      Devices: [{ Name: "nvidia/gpu", Count: 2 }]
    })
  })

  it("reports every resource it cannot read", () => {
    const found = problems({
      limits: { memory: "lots", cpu: "-1", "nvidia.com/gpu": "0.5" },
      requests: { memory: "2Gi" }
    })
    expect(found.some((p) => p.startsWith("limits.memory"))).toBe(true)
    expect(found.some((p) => p.startsWith("limits.cpu"))).toBe(true)
    expect(found.some((p) => p.startsWith("limits.nvidia.com/gpu"))).toBe(true)
    expect(problems({ limits: { memory: "128Mi" }, requests: { memory: "256Mi" } })[0]).toContain("less than")
  })

  it("refuses what an environment or a command line cannot carry: NUL anywhere, \"=\" or nothing as a name", () => {
    const found = problems({
      envVars: { "A\u0000B": "x", "": "y", "K=V": "z", OK: "nul\u0000inside" },
      envProcess: "cat\u0000 -"
    })
    expect(found).toEqual([
      `envVars: the name "A\\u0000B" must not contain NUL`,
      "envVars: a variable's name must not be empty",
      `envVars: the name "K=V" must not contain "="`,
      `envVars: the value of "OK" must not contain NUL`,
      `envProcess: "cat\\u0000 -" must not contain NUL`
    ])
    expect(problems({ envVars: { "my.var": "tab\there, line\nbreak, ünïcode" }, envProcess: "sh -c 'x=1'" })).toEqual(
      []
    )
  })

  it("mounts a writable tmpfs on /tmp for a read-only root filesystem", () => {
    const config = build({ readOnlyRootFilesystem: true }).TaskGroups![0]!.Tasks[0]!.Config!
    expect(config["readonly_rootfs"]).toBe(true)
    expect(config["mount"]).toEqual([
      { type: "tmpfs", target: "/tmp", readonly: false, tmpfs_options: { size: 64 * 2 ** 20 } }
    ])
  })

  it("refuses names that cannot be Nomad service names under the job prefix", () => {
    const long = "a".repeat(60)
    const result = toNomadJob(decode({ service: long, image: "x" }), placement, settings)
    expect(Result.isFailure(result) && result.failure[0]).toContain("at most 54 characters")
  })

  it("sets the region and network mode from the settings", () => {
    const job = build({}, { ...settings, region: "europe", networkMode: "bridge" })
    expect(job.Region).toBe("europe")
    expect(job.TaskGroups![0]!.Networks![0]!.Mode).toBe("bridge")
  })

  it("renders each secret from Vault KV v2 into the task, bound at /var/openfaas/secrets", () => {
    const task = build({ secrets: ["api-key"] }).TaskGroups![0]!.Tasks[0]!
    expect(task.Templates).toEqual([{
      EmbeddedTmpl: `{{ with secret "secret/data/openfaas/default/api-key" }}` +
        `{{ if .Data.data.encoding }}{{ base64Decode .Data.data.value }}{{ else }}{{ .Data.data.value }}{{ end }}{{ end }}`,
      DestPath: "secrets/openfaas/api-key",
      ChangeMode: "restart",
      Perms: "0444"
    }])
    expect(task.Vault).toEqual({ ChangeMode: "restart" })
    expect(task.Config?.["volumes"]).toEqual(["secrets/openfaas:/var/openfaas/secrets:ro"])
    const withRole = build(
      { secrets: ["a"] },
      { ...settings, secrets: { backend: "vault", mount: "kv", prefix: "fn", role: "openfaas-fn", policies: ["p1"] } }
    ).TaskGroups![0]!.Tasks[0]!
    expect(withRole.Vault).toEqual({ ChangeMode: "restart", Role: "openfaas-fn", Policies: ["p1"] })
    expect(withRole.Templates?.[0]?.EmbeddedTmpl).toContain(`secret "kv/data/fn/default/a"`)
  })

  it("renders secrets from Nomad Variables with nomadVar and no Vault stanza", () => {
    const task = build(
      { secrets: ["api-key"] },
      { ...settings, secrets: { backend: "nomad", prefix: "openfaas-secrets" } }
    )
      .TaskGroups![0]!.Tasks[0]!
    expect(task.Templates?.[0]?.EmbeddedTmpl).toBe(
      `{{ with nomadVar "openfaas-secrets/api-key" }}` +
        `{{ if eq .encoding.Value "base64" }}{{ base64Decode .value.Value }}{{ else }}{{ .value.Value }}{{ end }}{{ end }}`
    )
    expect(task.Vault).toBeUndefined()
  })

  it("a function without secrets has no templates, Vault stanza or volumes", () => {
    const task = build({}).TaskGroups![0]!.Tasks[0]!
    expect(task.Templates).toBeUndefined()
    expect(task.Vault).toBeUndefined()
    expect(task.Config?.["volumes"]).toBeUndefined()
  })
})
