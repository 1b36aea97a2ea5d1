/**
 * The official Consul API samples (`../shared/contracts/consul`): each answer
 * of the simulator has every key of the matching sample, with a value of the
 * same JSON type. Two kinds of sample keys are exempt, because current Consul
 * CE does not send them and a client must not come to rely on them:
 * `Namespace` (Enterprise only) and the keys inside `ServiceProxy` and
 * `ServiceConnect` (`omitempty` since the samples were written).
 */
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { contractJson, describeContracts } from "../../support/contracts.ts"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, instance, json } from "./consulTestSupport.ts"

const sample = (name: string): unknown => contractJson(`consul/${name}.response.json`)

const jsonType = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value)

/** Maps whose keys are data (addresses, metadata), not API fields. */
const freeForm = /\.(TaggedAddresses|Meta|NodeMeta|ServiceMeta|ServiceTaggedAddresses)$/
const enterpriseOnly = /\.Namespace$/
const omittedSince = /\.(ServiceProxy|ServiceConnect)$/

const assertShape = (actual: unknown, expected: unknown, at = "$"): void => {
  if (expected === null || enterpriseOnly.test(at)) return
  assert.strictEqual(jsonType(actual), jsonType(expected), `type at ${at}`)
  if (Array.isArray(expected)) {
    // Every element of the answer has the shape of the sample's first element.
    if (expected.length > 0) {
      ;(actual as ReadonlyArray<unknown>).forEach((a, i) => assertShape(a, expected[0], `${at}[${i}]`))
    }
    return
  }
  if (jsonType(expected) !== "object" || freeForm.test(at) || omittedSince.test(at)) return
  for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
    if (!enterpriseOnly.test(`${at}.${key}`)) assert.property(actual, key, `missing ${at}.${key}`)
    assertShape((actual as Record<string, unknown>)[key], value, `${at}.${key}`)
  }
}

describeContracts("the Consul simulator against the documented samples", () => {
  it.live("answers the health and catalog reads with the samples' keys and types", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a", { name: "redis", tags: ["primary"], meta: { redis_version: "4.0" } }))
      const health = json(yield* get(sim, "/v1/health/service/redis"))
      assert.strictEqual(health.length, 1)
      assertShape(health, sample("health-service"))
      assertShape(json(yield* get(sim, "/v1/catalog/service/redis")), sample("catalog-service"))
      assertShape(json(yield* get(sim, "/v1/health/checks/redis")), sample("health-checks-service"))
      const services = json<Record<string, unknown>>(yield* get(sim, "/v1/catalog/services"))
      assert.deepStrictEqual(services, { consul: [], redis: ["primary"] })
      // Its keys are service names; each value is a list of tags, as in the sample.
      for (const tags of Object.values(sample("catalog-services") as Record<string, unknown>)) {
        for (const ours of Object.values(services)) assertShape(ours, tags)
      }
    }))

  it("leaves no sample key unchecked but the documented exemptions", () => {
    const missing: Array<string> = []
    const walk = (value: unknown, at: string): void => {
      if (Array.isArray(value)) return value.length > 0 ? walk(value[0], `${at}[0]`) : undefined
      if (jsonType(value) !== "object" || freeForm.test(at) || omittedSince.test(at)) return
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (enterpriseOnly.test(`${at}.${key}`)) missing.push(`${at}.${key}`)
        walk(inner, `${at}.${key}`)
      }
    }
    walk(sample("health-service"), "$")
    assert.deepStrictEqual(missing, ["$[0].Service.Namespace", "$[0].Checks[0].Namespace"])
  })
})
