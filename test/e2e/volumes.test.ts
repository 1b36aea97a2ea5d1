/** Volume annotations through the provider over the live Nomad client, against the Nomad simulator. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { call, json } from "../support/http.ts"
import { liveApp } from "../support/testApp.ts"

const nomadOnly = (url: string) => ({ NOMAD_ADDR: url, service_discovery: "nomad", secrets_backend: "nomad" })
const v = (name: string) => `com.openfaas.nomad.volume.${name}`

describe("volumes on Nomad", () => {
  it.live("are accepted by Nomad as group volumes and mounts, echoed in the status, and bound the count", () =>
    Effect.gen(function*() {
      const nomad = yield* NomadSimulator.scoped()
      yield* Effect.gen(function*() {
        const annotations = {
          [v("certs")]: "host:certs:/etc/certs",
          [v("data")]: "csi:pg-data:/var/lib/data:rw",
          [v("data.access-mode")]: "single-node-writer"
        }
        const sent = { service: "stateful", image: "x:1", annotations }
        assert.strictEqual((yield* call("POST", "/system/functions", sent)).status, 202)
        const group = nomad.state.jobs().find((j) => j.ID === "OpenFaaS-stateful")!.TaskGroups![0]!
        assert.deepStrictEqual(Object.keys(group.Volumes ?? {}).sort(), ["certs", "data"])
        assert.strictEqual(group.Volumes!["data"]!.AccessMode, "single-node-writer")
        assert.deepStrictEqual(group.Tasks![0]!.VolumeMounts, [
          { Volume: "certs", Destination: "/etc/certs", ReadOnly: true, PropagationMode: "private", SELinuxLabel: "" },
          {
            Volume: "data",
            Destination: "/var/lib/data",
            ReadOnly: false,
            PropagationMode: "private",
            SELinuxLabel: ""
          }
        ])
        assert.deepStrictEqual(json(yield* call("GET", "/system/function/stateful")).annotations, annotations)

        // One writer on one node: a second instance would need its own volume.
        const scaled = yield* call("POST", "/system/scale-function/stateful", { replicas: 2 })
        assert.strictEqual(scaled.status, 400)
        assert.include(scaled.text, `${v("data")} is a csi volume with access mode single-node-writer`)
        assert.strictEqual(nomad.state.jobs().find((j) => j.ID === "OpenFaaS-stateful")!.TaskGroups![0]!.Count, 1)
        const perAlloc = { ...sent, annotations: { ...annotations, [v("data.per-alloc")]: "true" } }
        assert.strictEqual((yield* call("PUT", "/system/functions", perAlloc)).status, 202)
        assert.strictEqual((yield* call("POST", "/system/scale-function/stateful", { replicas: 2 })).status, 202)
        assert.strictEqual(json(yield* call("GET", "/system/function/stateful")).replicas, 2)
      }).pipe(Effect.provide(Layer.fresh(liveApp(nomadOnly(nomad.url)))))
    }))
})
