import { assert, expect, it } from "@effect/vitest"
import { Duration, Effect, Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import type { JobSettings } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { makeApiClient } from "../../src/layers/http/ApiClient.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import { AllocationListStub } from "../../src/nomad/Allocation.ts"
import { Job } from "../../src/nomad/Job.ts"
import { JobListStub, JobSummary } from "../../src/nomad/JobListStub.ts"
import { readBody, startSimServer } from "../sim/SimServer.ts"
import { contractJson, contractText, describeContracts } from "../support/contracts.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"
import { nomadSchemaValidator } from "../support/openapi.ts"

const decodes = (schema: Schema.Top & { readonly DecodingServices: never }, fixture: string) => {
  const result = Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)(contractJson(fixture), {
    errors: "all"
  })
  assert.isTrue(result._tag === "Success", `${fixture}: ${String(result)}`)
}

describeContracts("Nomad's documented responses decode", () => {
  it("jobs, lists, allocations, summaries, registrations and namespaces", () => {
    decodes(Job, "nomad/job-read.response.json")
    decodes(Job, "nomad/job-parse.response.json")
    for (const list of ["jobs-list", "jobs-list-filter-unfiltered", "jobs-list-filter-dc2"]) {
      decodes(Schema.Array(JobListStub), `nomad/${list}.response.json`)
    }
    decodes(Schema.Array(AllocationListStub), "nomad/job-allocations.response.json")
    decodes(Schema.Array(AllocationListStub), "nomad/allocations-list.response.json")
    decodes(AllocationListStub, "nomad/allocation-read.response.json")
    decodes(JobSummary, "nomad/job-summary.response.json")
    const Registration = Schema.Struct({ JobModifyIndex: Schema.Number, EvalID: Schema.optionalKey(Schema.String) })
    for (const write of ["job-register", "job-update", "job-delete", "job-scale"]) {
      decodes(Registration, `nomad/${write}.response.json`)
    }
  })

  it("the full job example from the json-jobs docs decodes as a Job", () => {
    const example = contractJson("nomad/job-json-spec-example.request.json") as { Job: unknown }
    assert.isTrue(Schema.decodeUnknownExit(Job)(example.Job)._tag === "Success")
  })
})

const settings: JobSettings = {
  ...defaultJobSettings,
  region: "global",
  networkMode: "bridge",
  serviceProvider: "nomad"
}

const deployments: ReadonlyArray<Record<string, unknown>> = [
  { service: "plain", image: "functions/alpine:latest" },
  {
    service: "everything",
    image: "ghcr.io/openfaas/figlet:latest",
    envProcess: "figlet",
    envVars: { A: "1" },
    labels: {
      "com.openfaas.scale.min": "2",
      team: "x",
      "com.openfaas.nomad.update.max_parallel": "2",
      "com.openfaas.nomad.update.health_check": "task_states",
      "com.openfaas.nomad.update.min_healthy_time": "10s",
      "com.openfaas.nomad.update.healthy_deadline": "3m",
      "com.openfaas.nomad.update.progress_deadline": "10m",
      "com.openfaas.nomad.update.canary": "0",
      "com.openfaas.nomad.update.auto_revert": "false",
      "com.openfaas.nomad.update.auto_promote": "false",
      "com.openfaas.nomad.update.stagger": "15s"
    },
    annotations: {
      "com.openfaas.health.http.path": "/ready",
      "com.openfaas.health.http.initialDelay": "20s",
      "com.openfaas.nomad.volume.certs": "host:certs:/etc/certs",
      "com.openfaas.nomad.volume.data": "csi:pg-data:/var/lib/data:rw",
      "com.openfaas.nomad.volume.data.access-mode": "multi-node-single-writer",
      "com.openfaas.nomad.volume.data.attachment-mode": "file-system",
      "com.openfaas.nomad.volume.cache": "csi:cache:/cache:rw",
      "com.openfaas.nomad.volume.cache.per-alloc": "true"
    },
    limits: { memory: "512Mi", cpu: "1", "nvidia.com/gpu": "1" },
    requests: { memory: "128Mi", cpu: "250m" },
    constraints: ["node.datacenter == dc1", "${attr.kernel.name} == linux", "${meta.gpu} is_set", "distinct_hosts"],
    readOnlyRootFilesystem: true,
    secrets: ["api-key", "db-password"],
    registryAuth: Buffer.from("robot:pa:ss").toString("base64")
  }
]

/** The docker driver's `auth` block (drivers/docker/config.go): one block of these string attributes. */
const dockerAuthAttributes = new Set(["username", "password", "email", "server_address"])
const isDockerAuthBlock = (value: unknown): boolean => {
  const blocks = Array.isArray(value) ? value : [value]
  return blocks.length === 1 && blocks.every((block) =>
    typeof block === "object" && block !== null &&
    Object.entries(block).every(([k, v]) => dockerAuthAttributes.has(k) && typeof v === "string")
  )
}

describeContracts("what the Nomad client sends", () => {
  it.live("every job body validates against the Job schema of Nomad's OpenAPI spec", () =>
    Effect.gen(function*() {
      const validateJob = nomadSchemaValidator("Job")
      const validateRequest = nomadSchemaValidator("JobRegisterRequest")
      const sent: Array<unknown> = []
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startSimServer(async (request, response) => {
            sent.push(JSON.parse(await readBody(request)))
            response.writeHead(200, { "content-type": "application/json" }).end(
              contractText("nomad/job-register.response.json")
            )
          })
        ),
        (s) => Effect.promise(() => s.close())
      )
      const client = yield* makeApiClient({
        dependency: "nomad",
        baseUrl: new URL(server.url),
        tls: {},
        headers: {},
        timeout: Duration.seconds(5)
      })
      const nomad = NomadHttp.make(NomadApiClient.make(client, "global"))
      for (const input of deployments) {
        for (const provider of ["nomad", "consul"] as const) {
          const deployment = Schema.decodeUnknownSync(FunctionDeployment)(input)
          const job = Result.getOrThrow(
            toNomadJob(
              deployment,
              { namespace: "default", count: 1, createdAt: "2026-01-01T00:00:00Z" },
              { ...settings, serviceProvider: provider }
            )
          )
          yield* nomad.registerJob(job, { enforceIndex: 0 })
        }
      }
      expect(sent).toHaveLength(deployments.length * 2)
      const invented = { ...(sent[0] as { Job: Record<string, unknown> }).Job, Replicas: 3 }
      assert.isFalse(validateJob(invented), "a field Nomad does not have must fail validation")
      for (const body of sent) {
        const job = (body as { Job: unknown }).Job
        assert.isTrue(validateJob(job), JSON.stringify(validateJob.errors, null, 1))
        assert.isTrue(validateRequest(body), JSON.stringify(validateRequest.errors, null, 1))
      }
      const configs = sent.map((body) =>
        (body as { Job: { TaskGroups: Array<{ Tasks: Array<{ Config: Record<string, unknown> }> }> } }).Job
          .TaskGroups[0]!.Tasks[0]!.Config
      )
      const withAuth = configs.filter((config) => config["auth"] !== undefined)
      expect(withAuth).toHaveLength(2)
      for (const config of withAuth) {
        assert.isTrue(isDockerAuthBlock(config["auth"]), JSON.stringify(config["auth"]))
        expect(config["auth"]).toEqual([{ username: "robot", password: "pa:ss" }])
      }
      assert.isFalse(isDockerAuthBlock([{ username: "u", password: { value: "p" } }]), "a wrapped password is refused")
      const updates = sent.map((body) => (body as { Job: { Update: Record<string, unknown> } }).Job.Update)
      expect(updates.filter((u) => u["Canary"] === 0 && u["AutoPromote"] === false && u["Stagger"] === 15e9))
        .toHaveLength(2)
      const groups = sent.map((body) =>
        (body as { Job: { TaskGroups: Array<{ Volumes?: Record<string, unknown>; Tasks: Array<any> }> } }).Job
          .TaskGroups[0]!
      )
      const mounting = groups.filter((g) => g.Volumes !== undefined)
      expect(mounting).toHaveLength(2)
      for (const group of mounting) {
        expect(Object.keys(group.Volumes!).sort()).toEqual(["cache", "certs", "data"])
        expect(group.Tasks[0].VolumeMounts.map((m: { Volume: string }) => m.Volume)).toEqual(["cache", "certs", "data"])
      }
    }))
})
