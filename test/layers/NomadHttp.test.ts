import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Queue, Result, Schema, type Scope, Stream } from "effect"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { jobSettingsFrom } from "../../src/jobs/JobSettings.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { NomadApiClient } from "../../src/layers/nomad/NomadApiClient.ts"
import * as NomadHttp from "../../src/layers/nomad/NomadHttp.ts"
import { Nomad } from "../../src/services/Nomad.ts"
import { NomadSimulator as Sim, type NomadSimulatorOptions } from "../sim/nomad/NomadSimulator.ts"

const settings = jobSettingsFrom(Result.getOrThrow(settingsFromEnv({})))

const jobFor = (service: string, extra: Record<string, unknown> = {}, namespace = "default") =>
  Result.getOrThrow(
    toNomadJob(
      Schema.decodeUnknownSync(FunctionDeployment)({ service, image: "functions/alpine:latest", ...extra }),
      { namespace, count: 1, createdAt: "2026-11-29T00:00:00Z" },
      settings
    )
  )

/** A fresh simulator and the live Nomad client pointed at it. */
const withNomad = <A, E>(
  body: (sim: Effect.Success<ReturnType<typeof Sim.scoped>>) => Effect.Effect<A, E, Nomad | Scope.Scope>,
  options: NomadSimulatorOptions = {},
  env: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const sim = yield* Sim.scoped(options)
    const layer = NomadHttp.layer.pipe(
      Layer.provide(NomadApiClient.layer),
      Layer.provide(ProviderConfig.layerFromEnv({ NOMAD_ADDR: sim.url, api_timeout: "2s", ...env }))
    )
    return yield* body(sim).pipe(Effect.provide(layer))
  })

describe("the Nomad client against the simulator", () => {
  it.live("registers, reads, lists with Meta, scales, lists allocations and purges", () =>
    withNomad((sim) =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        const registered = yield* nomad.registerJob(jobFor("figlet"), { enforceIndex: 0 })
        assert.isTrue(registered.jobModifyIndex > 0)
        const job = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-figlet"))
        assert.strictEqual(job.TaskGroups?.[0]?.Tasks[0]?.Config?.["image"], "functions/alpine:latest")
        assert.strictEqual(job.Meta?.["openfaas_function"], "figlet")
        const [stub] = yield* nomad.listJobs("default", "OpenFaaS-")
        assert.strictEqual(stub?.ID, "OpenFaaS-figlet")
        assert.strictEqual(stub?.Meta?.["openfaas_function"], "figlet")
        assert.strictEqual(stub?.JobModifyIndex, job.JobModifyIndex)
        yield* nomad.scaleTaskGroup("default", "OpenFaaS-figlet", "figlet", 3, "test")
        const scaled = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-figlet"))
        assert.strictEqual(scaled.TaskGroups?.[0]?.Count, 3)
        assert.isTrue((scaled.JobModifyIndex ?? 0) > (job.JobModifyIndex ?? 0))
        yield* Effect.promise(() => sim.settled())
        const allocations = yield* nomad.jobAllocations("default", "OpenFaaS-figlet")
        assert.strictEqual(allocations.filter((a) => a.ClientStatus === "running").length, 3)
        yield* nomad.deregisterJob("default", "OpenFaaS-figlet", { purge: true })
        assert.isTrue(Option.isNone(yield* nomad.readJob("default", "OpenFaaS-figlet")))
        yield* nomad.deregisterJob("default", "OpenFaaS-figlet", { purge: true })
      })
    ))

  it.live("check-and-set conflicts are JobIndexConflict; PreserveCounts keeps a scaled count", () =>
    withNomad(() =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        const first = yield* nomad.registerJob(jobFor("cas"), { enforceIndex: 0 })
        const again = yield* Effect.flip(nomad.registerJob(jobFor("cas"), { enforceIndex: 0 }))
        assert.strictEqual(again._tag, "JobIndexConflict")
        assert.include(again._tag === "JobIndexConflict" ? again.message : "", "job already exists")
        yield* nomad.scaleTaskGroup("default", "OpenFaaS-cas", "cas", 4, "test")
        const stale = yield* Effect.flip(nomad.registerJob(jobFor("cas"), { enforceIndex: first.jobModifyIndex }))
        assert.strictEqual(stale._tag, "JobIndexConflict")
        const current = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-cas"))
        yield* nomad.registerJob(jobFor("cas", { image: "functions/alpine:3" }), {
          enforceIndex: current.JobModifyIndex ?? 0,
          preserveCounts: true
        })
        const updated = Option.getOrThrow(yield* nomad.readJob("default", "OpenFaaS-cas"))
        assert.strictEqual(updated.TaskGroups?.[0]?.Count, 4)
        assert.strictEqual(updated.TaskGroups?.[0]?.Tasks[0]?.Config?.["image"], "functions/alpine:3")
      })
    ))

  it.live("a job Nomad refuses is JobRejected with Nomad's words; scale errors are typed", () =>
    withNomad((sim) =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        const refused = yield* Effect.flip(nomad.registerJob({ ...jobFor("bad"), TaskGroups: [] }, {}))
        assert.strictEqual(refused._tag, "JobRejected")
        const elsewhere = yield* Effect.flip(nomad.registerJob(jobFor("lost", {}, "nowhere"), {}))
        assert.strictEqual(elsewhere._tag, "JobRejected")
        assert.include(elsewhere._tag === "JobRejected" ? elsewhere.message : "", "nonexistent namespace")
        assert.strictEqual(
          (yield* Effect.flip(nomad.scaleTaskGroup("default", "OpenFaaS-none", "none", 1, "x")))._tag,
          "JobNotFound"
        )
        yield* nomad.registerJob(jobFor("busy"), {})
        sim.state.blockScaling("OpenFaaS-busy", true)
        const blocked = yield* Effect.flip(nomad.scaleTaskGroup("default", "OpenFaaS-busy", "busy", 2, "x"))
        assert.isTrue(blocked._tag === "ScaleBlocked" && blocked.message.includes("active deployment"))
        const negative = yield* Effect.flip(nomad.scaleTaskGroup("default", "OpenFaaS-busy", "busy", -1, "x"))
        assert.strictEqual(negative._tag, "JobRejected", "any other refusal of a scale stays JobRejected")
      })
    ))

  it.live("namespaces: a missing one is None, one with Meta is read back", () =>
    withNomad((sim) =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        assert.isTrue(Option.isNone(yield* nomad.readNamespace("team")))
        sim.state.createNamespace("team", { openfaas: "true" })
        assert.deepStrictEqual(Option.getOrThrow(yield* nomad.readNamespace("team")).Meta, { openfaas: "true" })
        assert.deepStrictEqual((yield* nomad.listNamespaces).map((n) => n.Name).sort(), ["default", "team"])
        yield* nomad.registerJob(jobFor("spaced", {}, "team"), {})
        assert.isTrue(Option.isNone(yield* nomad.readJob("default", "OpenFaaS-spaced")))
        assert.isTrue(Option.isSome(yield* nomad.readJob("team", "OpenFaaS-spaced")))
      })
    ))

  it.live("sends NOMAD_TOKEN; a refused token is PermissionDenied naming Nomad", () =>
    withNomad(
      (sim) =>
        Effect.gen(function*() {
          const nomad = yield* Nomad
          yield* nomad.registerJob(jobFor("acl"), {})
          assert.strictEqual(sim.server.requests.at(-1)?.headers["x-nomad-token"], "management-secret")
        }),
      { acl: { managementToken: "management-secret" } },
      { NOMAD_TOKEN: "management-secret" }
    ))

  it.live("an unknown token is refused", () =>
    withNomad(
      () =>
        Effect.gen(function*() {
          const refused = yield* Effect.flip((yield* Nomad).listJobs("default", "OpenFaaS-"))
          assert.isTrue(refused.reason === "PermissionDenied" && refused.dependency === "nomad")
          assert.include(refused.message, "ACL token not found")
        }),
      { acl: { managementToken: "management-secret" } },
      { NOMAD_TOKEN: "wrong" }
    ))

  it.live("reads are retried on 5xx; a write that reached Nomad is never retried", () =>
    withNomad((sim) =>
      Effect.gen(function*() {
        const nomad = yield* Nomad
        sim.server.faults.inject(
          { kind: "status", status: 500, body: "rpc error: No cluster leader" },
          { match: /GET \/v1\/jobs/ }
        )
        assert.deepStrictEqual(yield* nomad.listJobs("default", "OpenFaaS-"), [])
        assert.strictEqual(sim.server.count(/GET \/v1\/jobs$/), 2)
        sim.server.faults.inject({ kind: "drop" }, { match: /PUT \/v1\/jobs/ })
        const dropped = yield* Effect.flip(nomad.registerJob(jobFor("once"), { enforceIndex: 0 }))
        assert.strictEqual(dropped._tag === "UpstreamError" && dropped.reason, "Unavailable")
        assert.strictEqual(sim.server.count(/PUT \/v1\/jobs/), 1)
      })
    ))

  it.live("Nomad down is Unavailable, hung a Timeout, and it recovers without a restart", () =>
    withNomad(
      (sim) =>
        Effect.gen(function*() {
          const nomad = yield* Nomad
          yield* Effect.promise(() => sim.server.down())
          const down = yield* Effect.flip(nomad.listJobs("default", "OpenFaaS-"))
          assert.strictEqual(down.reason, "Unavailable")
          yield* Effect.promise(() => sim.server.up())
          sim.server.faults.inject({ kind: "hang" }, { times: 4 })
          const hung = yield* Effect.flip(nomad.listJobs("default", "OpenFaaS-"))
          assert.strictEqual(hung.reason, "Timeout")
          sim.server.faults.clear()
          assert.deepStrictEqual(yield* nomad.listJobs("default", "OpenFaaS-"), [])
        }),
      {},
      { api_timeout: "200ms" }
    ))

  it.live("a budget that runs out after a try failed answers with that failure, not a timeout", () =>
    withNomad(
      (sim) =>
        Effect.gen(function*() {
          const nomad = yield* Nomad
          sim.server.faults.inject(
            { kind: "status", status: 500, body: "rpc error: No cluster leader" },
            { times: Infinity }
          )
          const failed = yield* Effect.flip(nomad.listJobs("default", "OpenFaaS-"))
          assert.strictEqual(failed.reason, "Unavailable")
          assert.include(failed.message, "No cluster leader")
          assert.isAtLeast(sim.server.count(/GET \/v1\/jobs/), 1)
        }),
      {},
      { api_timeout: "1s" }
    ))

  it.live("allocation logs: framed history, then what is appended while following", () =>
    withNomad(
      (sim) =>
        Effect.gen(function*() {
          const nomad = yield* Nomad
          yield* nomad.registerJob(jobFor("talker"), {})
          yield* Effect.promise(() => sim.settled())
          const [alloc] = yield* nomad.jobAllocations("default", "OpenFaaS-talker")
          sim.state.appendLog(alloc!.ID, "talker", "stdout", "first line\n")
          const history = yield* Stream.runCollect(
            nomad.allocationLogs("default", alloc!.ID, "talker", "stdout", { follow: false })
          )
          assert.strictEqual(Buffer.concat(history.map((c) => Buffer.from(c))).toString(), "first line\n")
          const chunks = yield* Queue.unbounded<string>()
          yield* Effect.forkScoped(
            Stream.runForEach(
              nomad.allocationLogs("default", alloc!.ID, "talker", "stdout", { follow: true }),
              (chunk) => Queue.offer(chunks, Buffer.from(chunk).toString())
            )
          )
          assert.strictEqual(yield* Queue.take(chunks), "first line\n")
          sim.state.appendLog(alloc!.ID, "talker", "stdout", "second line\n")
          assert.strictEqual(yield* Queue.take(chunks), "second line\n")
        }),
      { logHeartbeatMs: 20 }
    ))
})
