import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { InvalidCredentials } from "../../src/http/api/Authentication.ts"
import { authorizes, readCredentials } from "../../src/http/BasicAuth.ts"
import { FaasProviderClient } from "../../src/http/FaasProviderClient.ts"
import { deploymentOf, provider } from "../support/client.ts"
import { call } from "../support/http.ts"
import { testApp } from "../support/testApp.ts"

const secrets = mkdtempSync(join(tmpdir(), "faas-nomad-auth-"))
writeFileSync(join(secrets, "basic-auth-user"), "admin\n")
writeFileSync(join(secrets, "basic-auth-password"), "  s3cr3t-pass \n")
afterAll(() => rmSync(secrets, { recursive: true, force: true }))

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`
})

layer(testApp({ env: { basic_auth: "true", secret_mount_path: secrets } }), { excludeTestServices: true })(
  "basic auth",
  (it) => {
    it.effect("every /system route asks for credentials, namespaces included", () =>
      Effect.gen(function*() {
        for (
          const [method, path] of [
            ["GET", "/system/functions"],
            ["POST", "/system/functions"],
            ["GET", "/system/function/x"],
            ["POST", "/system/scale-function/x"],
            ["GET", "/system/info"],
            ["GET", "/system/namespaces"],
            ["GET", "/system/secrets"],
            ["GET", "/system/logs?name=x"]
          ] as const
        ) {
          const answer = yield* call(method, path, method === "POST" ? {} : undefined)
          assert.strictEqual(answer.status, 401, path)
          assert.strictEqual(answer.headers["www-authenticate"], `Basic realm="Restricted"`)
          assert.strictEqual(answer.text, "invalid credentials\n")
        }
        assert.strictEqual((yield* call("GET", "/system/info", undefined, basic("admin", "wrong"))).status, 401)
        assert.strictEqual((yield* call("GET", "/system/info", undefined, basic("root", "s3cr3t-pass"))).status, 401)
        assert.strictEqual((yield* call("GET", "/system/info", undefined, { authorization: "Bearer x" })).status, 401)
        const withCredentials = yield* FaasProviderClient.make({
          credentials: { user: "admin", password: Redacted.make("s3cr3t-pass") }
        })
        assert.strictEqual((yield* withCredentials.system.info()).provider, "faas-nomad")
        assert.include(yield* withCredentials.system.namespaces(), "default")
        const without = yield* Effect.flip((yield* provider).system.info())
        assert.instanceOf(without, InvalidCredentials, "the typed client reads the 401")
      }))

    it.effect("/healthz, /metrics and invocations stay open", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* call("GET", "/healthz")).status, 200)
        assert.strictEqual((yield* call("GET", "/metrics")).status, 200)
        const client = yield* FaasProviderClient.make({
          credentials: { user: "admin", password: Redacted.make("s3cr3t-pass") }
        })
        yield* client.functions.deploy({ query: {}, payload: deploymentOf("open-fn", { image: "x:1" }) })
        assert.strictEqual((yield* call("GET", "/function/open-fn")).status, 200)
      }))
  }
)

describe("credentials", () => {
  it.effect("are read trimmed from the two files; a missing one is a StartupError naming it", () =>
    Effect.gen(function*() {
      const credentials = yield* readCredentials(secrets)
      assert.strictEqual(credentials.user, "admin")
      assert.strictEqual(Redacted.value(credentials.password), "s3cr3t-pass")
      const missing = yield* Effect.flip(readCredentials(join(secrets, "nowhere")))
      assert.strictEqual(missing._tag, "StartupError")
      assert.match(missing.message, /basic-auth-user cannot be read \(ENOENT\)/)
    }))

  it.effect("an empty user or password file is a StartupError naming it: `curl -u :` must not pass", () =>
    Effect.gen(function*() {
      for (const [user, password, empty] of [["", "pw", "basic-auth-user"], ["admin", " \n", "basic-auth-password"]]) {
        const folder = mkdtempSync(join(tmpdir(), "faas-nomad-auth-"))
        writeFileSync(join(folder, "basic-auth-user"), user!)
        writeFileSync(join(folder, "basic-auth-password"), password!)
        const error = yield* Effect.flip(readCredentials(folder))
        assert.strictEqual(error._tag, "StartupError")
        assert.strictEqual(error.message, `basic_auth is on but ${join(folder, empty!)} is empty`)
        rmSync(folder, { recursive: true })
      }
    }))

  it("are matched exactly: user, password, scheme", () => {
    const credentials = Effect.runSync(readCredentials(secrets))
    assert.isTrue(authorizes(credentials, `basic ${Buffer.from("admin:s3cr3t-pass").toString("base64")}`))
    assert.isFalse(authorizes(credentials, `Basic ${Buffer.from("admin:s3cr3t-pas").toString("base64")}`))
    assert.isFalse(authorizes(credentials, `Basic ${Buffer.from("admin:s3cr3t-pass ").toString("base64")}`))
    assert.isFalse(authorizes(credentials, undefined))
    assert.isFalse(authorizes(credentials, "Basic"))
  })
})
