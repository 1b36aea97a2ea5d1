import { assert, describe, it } from "@effect/vitest"
import { call, withVault } from "./vaultCalls.ts"

describe("Vault simulator: sys/health and the seal", () => {
  it("reports an active, unsealed node with 200", () =>
    withVault({}, async (sim) => {
      const health = await call(sim, "GET", "sys/health", { token: null })
      assert.strictEqual(health.status, 200)
      assert.deepStrictEqual(
        [health.json.initialized, health.json.sealed, health.json.standby, health.json.enterprise],
        [true, false, false, false]
      )
      assert.strictEqual(health.json.server_time_utc, Date.parse("2024-05-01T10:00:00Z") / 1000)
      assert.isString(health.json.cluster_id)
      assert.isTrue(health.text.endsWith("\n"))
      const head = await call(sim, "HEAD", "sys/health", { token: null })
      assert.deepStrictEqual([head.status, head.text], [200, ""])
      assert.strictEqual((await call(sim, "POST", "sys/health", { token: null })).status, 405)
    }))

  it("answers standby (429) and performance standby (473) unless told they are ok, and honours *code parameters", () =>
    withVault({}, async (sim) => {
      sim.state.setHaMode("standby")
      assert.strictEqual((await call(sim, "GET", "sys/health")).status, 429)
      assert.strictEqual((await call(sim, "GET", "sys/health?standbyok=true")).status, 200)
      assert.strictEqual((await call(sim, "GET", "sys/health?standbycode=200")).status, 200)
      sim.state.setHaMode("perfstandby")
      const perf = await call(sim, "GET", "sys/health")
      assert.deepStrictEqual([perf.status, perf.json.performance_standby], [473, true])
      assert.strictEqual((await call(sim, "GET", "sys/health?perfstandbyok=true")).status, 200)
      assert.strictEqual((await call(sim, "GET", "sys/health?standbycode=soon")).status, 400)
      sim.state.setHaMode("active")
      assert.strictEqual((await call(sim, "GET", "sys/health?activecode=299")).status, 299)
    }))

  it("when sealed: health is 503 without cluster details, everything else 503 Vault is sealed, even without a token", () =>
    withVault({ appRoles: [{ roleId: "r", secretId: "s", policies: [], ttlSeconds: 60 }] }, async (sim) => {
      sim.state.writeSecret("secret", "kept", { a: 1 })
      sim.state.seal()
      const health = await call(sim, "GET", "sys/health")
      assert.deepStrictEqual([health.status, health.json.sealed, health.json.cluster_name], [503, true, undefined])
      assert.strictEqual((await call(sim, "GET", "sys/health?sealedcode=200")).status, 200)
      for (
        const [method, path, token] of [
          ["GET", "secret/data/kept", "root"],
          ["GET", "secret/data/kept", "wrong"],
          ["POST", "auth/approle/login", null],
          ["GET", "auth/token/lookup-self", "root"]
        ] as const
      ) {
        const answer = await call(sim, method, path, {
          token,
          ...(method === "POST" ? { body: { role_id: "r" } } : {})
        })
        assert.deepStrictEqual([answer.status, answer.text], [503, "{\"errors\":[\"Vault is sealed\"]}\n"])
      }
      sim.state.unseal()
      assert.deepStrictEqual((await call(sim, "GET", "secret/data/kept")).json.data.data, { a: 1 })
    }))
})
