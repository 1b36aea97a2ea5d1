/**
 * A function updated with canaries (`com.openfaas.nomad.update.canary`),
 * through the provider over the live Nomad client and the Nomad simulator:
 * what its status says while the canary runs, that the canary really takes
 * traffic, a scale during the deployment, and promotion by hand or by itself.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { eventually } from "../support/eventually.ts"
import { call, json } from "../support/http.ts"
import { echoDriver } from "../support/simDriver.ts"
import { liveApp } from "../support/testApp.ts"

const nomadOnly = (url: string) => ({ NOMAD_ADDR: url, service_discovery: "nomad", secrets_backend: "nomad" })

interface Status {
  readonly image: string
  readonly replicas: number
  readonly availableReplicas: number
  readonly labels: Record<string, string>
}

const status = Effect.map(call("GET", "/system/function/canaried"), (answer) => json<Status>(answer))
const statusWhere = (accept: (s: Status) => boolean) => eventually(status, accept)

const deployment = (image: string, labels: Record<string, string>) => ({
  service: "canaried",
  image,
  envProcess: "cat",
  labels: { "com.openfaas.scale.min": "3", "com.openfaas.nomad.update.canary": "1", ...labels }
})

/** The allocations that answered `n` invocations, by the header the simulator's driver sets. */
const answeringAllocations = (n: number) =>
  Effect.map(
    Effect.all(Array.from({ length: n }, () => call("POST", "/function/canaried", "ping"))),
    (answers) => [...new Set(answers.map((a) => a.headers["x-alloc"]))].sort()
  )

const runningAllocations = (nomad: NomadSimulator) =>
  nomad.state.allocations().filter((a) => a.JobID === "OpenFaaS-canaried" && a.DesiredStatus === "run")

/** Invocations reach exactly the allocations Nomad runs: round robin over them all, and nothing else. */
const servesExactly = (ids: ReadonlyArray<string>) =>
  eventually(answeringAllocations(ids.length * 3), (answered) => answered.join() === [...ids].sort().join())

describe("a function updated with canaries", () => {
  it.live("keeps replicas the desired count and counts a canary as available once it takes traffic", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped({ driver: echoDriver() })
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* call("POST", "/system/functions", deployment("x:1", {}))).status, 202)
        yield* statusWhere((s) => s.availableReplicas === 3)
        assert.strictEqual((yield* call("PUT", "/system/functions", deployment("x:2", {}))).status, 202)
        yield* Effect.promise(() => nomad.settled())
        const canarying = yield* statusWhere((s) => s.availableReplicas === 4)
        assert.strictEqual(canarying.replicas, 3, "replicas stays the desired count")
        assert.strictEqual(canarying.image, "x:2", "the status is the function as last deployed")
        assert.strictEqual(canarying.labels["com.openfaas.nomad.update.canary"], "1")
        const running = runningAllocations(nomad)
        assert.strictEqual(running.length, 4)
        const canary = running.find((a) => (a["DeploymentStatus"] as { Canary?: boolean } | null)?.Canary === true)
        assert.isDefined(canary)
        // The canary takes its share of traffic beside the three old instances: that is why it counts.
        yield* servesExactly(running.map((a) => a.ID))

        // Nomad refuses to scale during the deployment: the provider registers a new version instead, which
        // cancels the deployment and starts another, with a new canary. Replicas says so at once.
        assert.strictEqual((yield* call("POST", "/system/scale-function/canaried", { replicas: 5 })).status, 202)
        assert.strictEqual((yield* status).replicas, 5)
        yield* Effect.promise(() => nomad.settled())
        const rescaled = yield* statusWhere((s) => s.availableReplicas === 4)
        assert.strictEqual(rescaled.replicas, 5, "the two new instances wait for the promotion")
        const afterScale = runningAllocations(nomad)
        assert.notInclude(afterScale.map((a) => a.ID), canary!.ID, "the cancelled deployment's canary is gone")
        yield* servesExactly(afterScale.map((a) => a.ID))
        const job = nomad.state.jobs().find((j) => j.ID === "OpenFaaS-canaried")!
        assert.strictEqual(job.TaskGroups![0]!.Count, 5)

        // What `nomad deployment promote` does.
        const latest =
          (yield* Effect.promise(() =>
            fetch(`${nomad.url}/v1/job/OpenFaaS-canaried/deployment`).then((r) => r.json())
          )) as { ID: string; StatusDescription: string }
        assert.strictEqual(latest.StatusDescription, "Deployment is running but requires manual promotion")
        const promoted = yield* Effect.promise(() =>
          fetch(`${nomad.url}/v1/deployment/promote/${latest.ID}`, {
            method: "POST",
            body: JSON.stringify({ DeploymentID: latest.ID, All: true })
          })
        )
        assert.strictEqual(promoted.status, 200)
        yield* Effect.promise(() => nomad.settled())
        const done = yield* statusWhere((s) => s.availableReplicas === 5)
        assert.strictEqual(done.replicas, 5)
        const final = runningAllocations(nomad)
        assert.strictEqual(final.length, 5)
        yield* servesExactly(final.map((a) => a.ID))
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))

  it.live("with auto_promote, the canary promotes itself once healthy and the rollout completes", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped({ driver: echoDriver() })
      yield* Effect.gen(function*() {
        const labels = { "com.openfaas.nomad.update.auto_promote": "true" }
        yield* call("POST", "/system/functions", deployment("x:1", labels))
        yield* statusWhere((s) => s.availableReplicas === 3)
        yield* call("PUT", "/system/functions", deployment("x:2", labels))
        yield* Effect.promise(() => nomad.settled())
        const running = runningAllocations(nomad)
        const version = nomad.state.jobs().find((j) => j.ID === "OpenFaaS-canaried")!.Version
        assert.deepStrictEqual(running.map((a) => a["JobVersion"]), [version, version, version], "all new")
        yield* servesExactly(running.map((a) => a.ID))
        const done = yield* status
        assert.deepStrictEqual([done.replicas, done.availableReplicas], [3, 3])
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))

  it.live("bad update labels are a 400 naming them, and Nomad is not asked", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const answer = yield* call(
          "POST",
          "/system/functions",
          deployment("x:1", {
            "com.openfaas.nomad.update.healthy_deadline": "10m",
            "com.openfaas.nomad.update.health_check": "http"
          })
        )
        assert.strictEqual(answer.status, 400)
        assert.include(answer.text, "com.openfaas.nomad.update.health_check must be one of checks, task_states, manual")
        assert.strictEqual(nomad.server.count(/^PUT \/v1\/jobs/), 0)
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))
})
