/** `registryAuth` through the API: the job's docker auth, kept or removed on update, never shown or echoed. */
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Nomad } from "../../src/services/Nomad.ts"
import { deploymentOf, fnName, provider } from "../support/client.ts"
import { call, json } from "../support/http.ts"
import { testApp } from "../support/testApp.ts"

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64")
const password = "s3cret:with-colon-4c1d"
const registryAuth = b64(`robot:${password}`)
const defaultPassword = "default-pw-9b2e"

const dir = mkdtempSync(join(tmpdir(), "faas-nomad-registry-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const dockerConfig = join(dir, "config.json")
writeFileSync(
  dockerConfig,
  JSON.stringify({ auths: { "registry.example.com": { auth: b64(`bot:${defaultPassword}`) } } })
)

const deployment = (service: string, extra: Record<string, unknown> = {}) => ({
  service,
  image: "registry.example.com/team/figlet:1",
  ...extra
})

/** The typed client's deploy and update, for the well-formed ones. */
const deploy = (service: string, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(
    provider,
    (client) => client.functions.deploy({ query: {}, payload: deploymentOf(service, deployment(service, extra)) })
  )
const update = (service: string, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(
    provider,
    (client) => client.functions.update({ query: {}, payload: deploymentOf(service, deployment(service, extra)) })
  )

/** The docker auth of the function's job, as the in-memory Nomad holds it, revealed for the comparison. */
const jobAuth = (name: string) =>
  Effect.gen(function*() {
    const nomad = yield* Nomad
    const job = Option.getOrThrow(yield* nomad.readJob("default", `OpenFaaS-${name}`))
    const block = job.TaskGroups?.[0]?.Tasks[0]?.Config?.["auth"] as
      | Array<{ username: string; password: Redacted.Redacted<string> }>
      | undefined
    return {
      auth: block?.map((b) => ({ username: b.username, password: Redacted.value(b.password) })),
      meta: job.Meta ?? {}
    }
  })

layer(testApp({ env: { registry_auth_file: dockerConfig } }), { excludeTestServices: true })("registryAuth", (it) => {
  it.effect("deploy puts it in the job's docker auth; the status and the stored deployment never show it", () =>
    Effect.gen(function*() {
      yield* deploy("private", { registryAuth, labels: { team: "a" } })
      const { auth, meta } = yield* jobAuth("private")
      assert.deepStrictEqual(auth, [{ username: "robot", password }])
      assert.notInclude(JSON.stringify(meta), registryAuth)
      assert.notInclude(JSON.stringify(meta), "registryAuth")
      // The raw answers, byte for byte: a typed client would drop an unknown key before the test could see it.
      const status = yield* call("GET", "/system/function/private")
      const list = yield* call("GET", "/system/functions")
      for (const answer of [status, list]) {
        assert.notInclude(answer.text, registryAuth)
        assert.notInclude(answer.text, password)
        assert.notInclude(answer.text, "registryAuth")
      }
      assert.deepStrictEqual(json(status).labels, { team: "a", faas_function: "private" })
    }))

  it.effect("an update without registryAuth keeps the job's; \"\" removes it, and the default applies again", () =>
    Effect.gen(function*() {
      yield* deploy("kept", { registryAuth })
      yield* update("kept", { envProcess: "v2" })
      assert.deepStrictEqual((yield* jobAuth("kept")).auth, [{ username: "robot", password }])
      yield* (yield* provider).functions.scale({
        query: {},
        params: { name: fnName("kept") },
        payload: { serviceName: "kept", replicas: 2 }
      })
      assert.deepStrictEqual((yield* jobAuth("kept")).auth, [{ username: "robot", password }])
      yield* update("kept", { registryAuth: "" })
      const removed = yield* jobAuth("kept")
      assert.deepStrictEqual(removed.auth, [{ username: "bot", password: defaultPassword }])
      assert.strictEqual(removed.meta["openfaas_registry_auth"], "default")
      yield* update("kept", { image: "ghcr.io/openfaas/figlet:latest" })
      assert.isUndefined((yield* jobAuth("kept")).auth, "the default is for its registry only, and not kept")
    }))

  it.effect("a function without registryAuth gets the default of its image's registry", () =>
    Effect.gen(function*() {
      yield* deploy("defaulted")
      assert.deepStrictEqual((yield* jobAuth("defaulted")).auth, [{ username: "bot", password: defaultPassword }])
      yield* deploy("public", { image: "ghcr.io/openfaas/figlet:latest" })
      assert.isUndefined((yield* jobAuth("public")).auth)
    }))

  it.effect("a malformed value is a 400 naming the field, never echoing it", () =>
    Effect.gen(function*() {
      for (const bad of [b64("no-colon-secret-77"), "not base64 secret-77!", b64(":secret-77"), 42]) {
        const answer = yield* call("POST", "/system/functions", deployment("bad-auth", { registryAuth: bad }))
        assert.strictEqual(answer.status, 400)
        assert.include(answer.text, "registryAuth")
        assert.notInclude(answer.text, "secret-77")
        assert.notInclude(answer.text, String(bad))
      }
      const broken = `{"service": "bad-auth", "image": "x", "registryAuth": ${registryAuth}}`
      const unparsable = yield* call("POST", "/system/functions", broken)
      assert.strictEqual(unparsable.status, 400)
      assert.include(unparsable.text, "not valid JSON")
      assert.notInclude(unparsable.text, registryAuth.slice(0, 6))
      assert.strictEqual((yield* call("GET", "/system/function/bad-auth")).status, 404)
    }))
})

describe("registry_auth_file", () => {
  it.effect("a file that cannot be read or understood stops the start, naming it and never quoting it", () =>
    Effect.gen(function*() {
      const startWith = (path: string) =>
        Effect.scoped(Layer.build(Layer.fresh(testApp({ env: { registry_auth_file: path } })))).pipe(
          Effect.flip,
          Effect.map((error) => String((error as Error).message))
        )
      const missing = join(dir, "missing.json")
      assert.strictEqual(yield* startWith(missing), `registry_auth_file ${missing} cannot be read (ENOENT)`)
      const bad = join(dir, "bad.json")
      writeFileSync(bad, JSON.stringify({ auths: { "r.io": { auth: b64("colonless-secret-31") } } }))
      const message = yield* startWith(bad)
      assert.include(message, `registry_auth_file ${bad} auths."r.io" "auth" decodes to a value without ":"`)
      assert.notInclude(message, "colonless-secret-31")
    }))
})
