/** Volumes on the dev cluster: refused at deploy with a message that says why and where they work. */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { deploymentOf, fnName, provider } from "../support/client.ts"
import { call } from "../support/http.ts"
import { testApp } from "../support/testApp.ts"

const withVolume = (service: string, value: string) => ({
  service,
  image: "ghcr.io/openfaas/figlet:latest",
  annotations: { "com.openfaas.nomad.volume.certs": value }
})

layer(testApp(), { excludeTestServices: true })("volumes on the dev cluster", (it) => {
  it.effect("a deploy or update with a volume is a 400 saying the dev cluster cannot mount it, and why", () =>
    Effect.gen(function*() {
      const deployed = yield* call("POST", "/system/functions", withVolume("mounted", "host:certs:/etc/certs"))
      assert.strictEqual(deployed.status, 400)
      assert.strictEqual(
        deployed.text,
        `Nomad rejected the job of function "mounted": the dev cluster (faas-nomad dev) cannot mount volumes: ` +
          `it runs functions as local processes, with no Nomad client to mount them (asked for: certs (host certs)); ` +
          `volumes work when the provider runs on Nomad (faas-nomad start)\n`
      )
      assert.strictEqual((yield* call("GET", "/system/function/mounted")).status, 404)
      const client = yield* provider
      yield* client.functions.deploy({ query: {}, payload: deploymentOf("plain", { image: "x:1" }) })
      const updated = yield* call("PUT", "/system/functions", withVolume("plain", "csi:pg:/data:rw"))
      assert.strictEqual(updated.status, 400)
      assert.include(updated.text, "cannot mount volumes")
      assert.deepStrictEqual(
        (yield* client.functions.status({ query: {}, params: { name: fnName("plain") } })).annotations,
        {}
      )
    }))

  it.effect("a bad volume annotation is a 400 naming it, before anything is asked of the cluster", () =>
    Effect.gen(function*() {
      const answer = yield* call("POST", "/system/functions", withVolume("bad", "host:certs:/var/openfaas/secrets/x"))
      assert.strictEqual(answer.status, 400)
      assert.strictEqual(
        answer.text,
        "annotations: com.openfaas.nomad.volume.certs cannot be mounted in /var/openfaas/secrets, " +
          "where the function's secrets are\n"
      )
    }))
})
