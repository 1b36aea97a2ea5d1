import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createFilter, FilterError } from "./BexprFilter.ts"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { filterParam, get, instance, serviceIds } from "./consulTestSupport.ts"
import { checkServiceNodeType } from "./FilterSchemas.ts"

const entry = {
  Node: { Node: "sim-node", Meta: { rack: "r1" } },
  Service: { ID: "web-1", Service: "web", Tags: ["blue", "v2"], Address: "10.0.0.5", Port: 8080, Meta: { team: "a" } },
  Checks: [{ CheckID: "serfHealth", Status: "passing" }, { CheckID: "http", Status: "critical", ServiceTags: ["blue"] }]
}

const matches = (expression: string) => createFilter(expression, checkServiceNodeType)!(entry)

const failure = (expression: string) => {
  try {
    createFilter(expression, checkServiceNodeType)
  } catch (error) {
    assert.instanceOf(error, FilterError)
    return (error as Error).message
  }
  return assert.fail(`${expression} was accepted`)
}

describe("the simulator's go-bexpr filters", () => {
  it("compares strings, numbers and map values, and combines with and, or, not and parentheses", () => {
    assert.isTrue(matches(`Service.Meta.team == "a"`))
    assert.isTrue(matches(`Service.Meta["team"] != "b"`))
    assert.isTrue(matches("Service.Port == 8080"))
    assert.isTrue(matches("Service.Service == web"))
    assert.isTrue(matches("Service.Service == `web`"))
    assert.isTrue(matches(`Service.Service == "web" and (Node.Node == "x" or not Service.Port == 1)`))
    assert.isFalse(matches(`not Service.Service == "web" or Service.Port != 8080`))
    assert.isTrue(matches(`(Service.Service == "web")`))
  })

  it("treats a missing map key as go-bexpr does: ==, in and is not empty false; the negations true", () => {
    assert.isFalse(matches(`Service.Meta.nope == "a"`))
    assert.isTrue(matches(`Service.Meta.nope != "a"`))
    assert.isFalse(matches(`"x" in Service.Meta.nope`))
    assert.isTrue(matches(`"team" in Service.Meta`))
    assert.isTrue(matches(`Node.Meta is not empty`))
  })

  it("checks membership in lists, substrings in strings, and emptiness", () => {
    assert.isTrue(matches(`"blue" in Service.Tags`))
    assert.isTrue(matches(`Service.Tags contains "v2"`))
    assert.isTrue(matches(`"red" not in Service.Tags`))
    assert.isFalse(matches(`Service.Tags not contains "blue"`))
    assert.isTrue(matches(`"eb" in Service.Service`))
    assert.isFalse(matches(`Service.Tags is empty`))
    assert.isTrue(matches(`Checks is not empty`))
    assert.isTrue(matches(`Service.Address matches "^10\\\\."`))
    assert.isTrue(matches(`Service.Address not matches "^192"`))
  })

  it("matches a selector through the checks when any check does", () => {
    assert.isTrue(matches(`Checks.Status == "critical"`))
    assert.isTrue(matches(`Checks.Status != "critical"`))
    assert.isFalse(matches(`Checks.Status == "warning"`))
    assert.isTrue(matches(`Checks.ServiceTags contains "blue"`))
  })

  it("refuses what Consul cannot build, with its messages", () => {
    assert.strictEqual(
      failure(`Service.Foo == "x"`),
      `Failed to create boolean expression evaluator: Selector "Service.Foo" is not valid`
    )
    assert.include(
      failure(`Service.Address is empty`),
      `Invalid match operator "Is Empty" for selector "Service.Address"`
    )
    assert.include(failure(`Service.Tags == "blue"`), `Invalid match operator "Equal" for selector "Service.Tags"`)
    assert.include(failure(`Service.Port == "eighty"`), `Failed to coerce value "eighty" for selector "Service.Port"`)
    assert.include(failure(`Service.Meta.team == "a`), "Unterminated string literal")
    assert.include(failure(`Service.Port == 80a`), "Invalid number literal")
    assert.include(failure(`(Service.Port == 80`), "Unmatched parentheses")
    assert.include(failure("web"), "1:4 (3): no match found")
    assert.include(failure(`Service.Service == "web" and`), "no match found")
    assert.include(failure(`Service.Service==web-1`), "no match found")
  })

  it.live("applies ?filter on the health endpoint, and answers 500 for a filter that does not build", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a", { meta: { openfaas_namespace: "default" } }))
      sim.state.register(instance("b", { meta: { openfaas_namespace: "staging" } }))
      const staging = yield* get(
        sim,
        `/v1/health/service/fn?${filterParam(`Service.Meta.openfaas_namespace == "staging"`)}`
      )
      assert.deepStrictEqual(serviceIds(staging), [instance("b").id])
      sim.state.setCheckStatus(instance("a").id, "critical")
      const critical = yield* get(sim, `/v1/health/service/fn?${filterParam(`Checks.Status == "critical"`)}`)
      assert.deepStrictEqual(serviceIds(critical), [instance("a").id])
      const bad = yield* get(sim, `/v1/health/service/fn?${filterParam("Service.Meta.openfaas_namespace = x")}`)
      assert.strictEqual(bad.status, 500)
      assert.match(bad.text, /^Failed to create boolean expression evaluator: 1:\d+ \(\d+\): no match found/)
      assert.strictEqual(bad.headers.get("content-type"), "text/plain; charset=utf-8")
    }))

  it.live("filters the catalog endpoints over catalog rows and checks over checks", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a", { name: "fn-a", meta: { openfaas_namespace: "default" } }))
      sim.state.register(instance("b", { name: "fn-b", meta: { openfaas_namespace: "staging" } }))
      const services = yield* get(
        sim,
        `/v1/catalog/services?${filterParam(`ServiceMeta.openfaas_namespace == "default"`)}`
      )
      assert.strictEqual(services.text, `{"fn-a":["openfaas-timeout=30s"]}`)
      const rows = yield* get(
        sim,
        `/v1/catalog/service/fn-b?${filterParam(`ServiceMeta.openfaas_namespace == "default"`)}`
      )
      assert.strictEqual(rows.text, "[]")
      sim.state.setHealth(instance("b").id, false)
      const checks = yield* get(sim, `/v1/health/state/any?${filterParam(`ServiceName == "fn-b"`)}`)
      assert.deepStrictEqual(JSON.parse(checks.text).map((c: any) => [c.ServiceName, c.Status]), [["fn-b", "critical"]])
      const wrongType = yield* get(sim, `/v1/catalog/service/fn-a?${filterParam(`Service.Service == "fn-a"`)}`)
      assert.deepStrictEqual(
        [wrongType.status, wrongType.text],
        [500, `Failed to create boolean expression evaluator: Selector "Service" is not valid`]
      )
    }))
})
