import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConsulSimulator } from "./ConsulSimulator.ts"
import { get, indexOf, instance, json, send, serviceIds } from "./consulTestSupport.ts"

/** Long enough never to run out in a passing test; a broken wake-up shows as the old answer, not as a hang. */
const longWait = "wait=20s"

describe("the Consul simulator's blocking queries", () => {
  it.live("answer with the same data and index when the wait runs out", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      const first = yield* get(sim, "/v1/health/service/fn")
      const again = yield* get(sim, `/v1/health/service/fn?index=${indexOf(first)}&wait=50ms`)
      assert.deepStrictEqual([again.status, indexOf(again), again.text], [200, indexOf(first), first.text])
    }))

  it.live("wake on a registration, a deregistration and a health change", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const empty = yield* get(sim, "/v1/health/service/fn?passing")
      const waitForAnswer = (index: number) => send(sim, `/v1/health/service/fn?passing&index=${index}&${longWait}`)

      const registered = waitForAnswer(indexOf(empty))
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.register(instance("a"))
      const afterRegister = yield* Effect.promise(() => registered)
      assert.deepStrictEqual(serviceIds(afterRegister), [instance("a").id])
      assert.isAbove(indexOf(afterRegister), indexOf(empty))

      const unhealthy = waitForAnswer(indexOf(afterRegister))
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.setHealth(instance("a").id, false)
      const afterFailure = yield* Effect.promise(() => unhealthy)
      assert.deepStrictEqual(json(afterFailure), [])
      assert.isAbove(indexOf(afterFailure), indexOf(afterRegister))

      sim.state.setHealth(instance("a").id, true)
      const healthy = yield* get(sim, "/v1/health/service/fn?passing")
      const deregistered = waitForAnswer(indexOf(healthy))
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.deregister(instance("a").id)
      const afterDeregister = yield* Effect.promise(() => deregistered)
      assert.strictEqual(afterDeregister.text, "[]")
      assert.strictEqual(indexOf(afterDeregister), sim.state.index)
    }))

  it.live("wake when the node's health check changes", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      const first = yield* get(sim, "/v1/health/service/fn?passing")
      const pending = send(sim, `/v1/health/service/fn?passing&index=${indexOf(first)}&${longWait}`)
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.setNodeHealth(false)
      const answer = yield* Effect.promise(() => pending)
      assert.deepStrictEqual([answer.text, indexOf(answer) > indexOf(first)], ["[]", true])
    }))

  it.live("are not woken by changes to other services, nor by an identical re-registration", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      const first = yield* get(sim, "/v1/health/service/fn")
      const pending = send(sim, `/v1/health/service/fn?index=${indexOf(first)}&wait=50ms`)
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.register(instance("b", { name: "other" }))
      sim.state.register(instance("a"))
      const answer = yield* Effect.promise(() => pending)
      assert.deepStrictEqual([indexOf(answer), answer.text], [indexOf(first), first.text])
    }))

  it.live("answer at once with a lower index when the indexes go backwards, and never send 0", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      sim.state.register(instance("a"))
      const first = yield* get(sim, "/v1/health/service/fn")
      const pending = send(sim, `/v1/health/service/fn?index=${indexOf(first)}&${longWait}`)
      yield* Effect.promise(() => sim.untilBlocked())
      sim.state.resetIndex(3)
      const answer = yield* Effect.promise(() => pending)
      assert.deepStrictEqual([answer.status, indexOf(answer), answer.text], [200, 3, first.text])
      sim.state.resetIndex(0)
      assert.strictEqual(indexOf(yield* get(sim, "/v1/catalog/services")), 1)
      sim.state.register(instance("b"))
      assert.strictEqual(indexOf(yield* get(sim, "/v1/health/service/fn")), 1)
    }))

  it.live("block on the catalog and check endpoints too", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const paths = ["/v1/catalog/services", "/v1/catalog/service/fn", "/v1/health/checks/fn", "/v1/health/state/any"]
      const firsts = yield* Effect.forEach(paths, (path) => get(sim, path))
      const pending = paths.map((path, i) => send(sim, `${path}?index=${indexOf(firsts[i]!)}&${longWait}`))
      yield* Effect.promise(() => sim.untilBlocked(paths.length))
      // A service without checks leaves the checks table alone: only the check listing waits on.
      sim.state.register({ ...instance("a"), checks: [] })
      assert.strictEqual(sim.blockedQueries(), 1)
      sim.state.register(instance("b", { name: "other" }))
      const answers = yield* Effect.promise(() => Promise.all(pending))
      answers.forEach((answer, i) => assert.isAbove(indexOf(answer), indexOf(firsts[i]!), paths[i]))
      assert.strictEqual(answers[0]!.text, `{"consul":[],"fn":["openfaas-timeout=30s"]}`)
      assert.deepStrictEqual(serviceIds(answers[1]!), [instance("a").id])
      assert.strictEqual(answers[2]!.text, "[]")
      assert.deepStrictEqual(json(answers[3]!).map((c: any) => c.ServiceName), ["other", ""])
    }))

  it.live("free a held query when its client goes away", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const first = yield* get(sim, "/v1/health/service/fn")
      const abort = new AbortController()
      const pending = send(sim, `/v1/health/service/fn?index=${indexOf(first)}&${longWait}`, { signal: abort.signal })
      yield* Effect.promise(() => sim.untilBlocked())
      abort.abort()
      yield* Effect.promise(() => pending.catch(() => undefined))
      yield* Effect.promise(() => until(() => sim.blockedQueries() === 0))
      assert.strictEqual(sim.blockedQueries(), 0)
    }))

  it.live("come from the streaming backend on /v1/health/service, as a default agent serves them", () =>
    Effect.gen(function*() {
      const sim = yield* ConsulSimulator.scoped()
      const first = yield* get(sim, "/v1/health/service/fn")
      assert.deepStrictEqual(
        [first.headers.get("x-consul-query-backend"), first.headers.get("x-consul-knownleader")],
        ["blocking-query", "true"]
      )
      const blocking = yield* get(sim, `/v1/health/service/fn?index=${indexOf(first)}&wait=50ms`)
      assert.deepStrictEqual(
        [blocking.headers.get("x-consul-query-backend"), blocking.headers.get("x-consul-knownleader")],
        ["streaming", "false"]
      )
      const catalog = yield* get(sim, `/v1/catalog/service/fn?index=${indexOf(first)}&wait=50ms`)
      assert.strictEqual(catalog.headers.get("x-consul-query-backend"), "blocking-query")
      const rpcOnly = yield* ConsulSimulator.scoped({ streamingBackend: false })
      const rpc = yield* get(rpcOnly, `/v1/health/service/fn?index=${indexOf(first)}&wait=50ms`)
      assert.strictEqual(rpc.headers.get("x-consul-query-backend"), "blocking-query")
    }))
})

/** Yields to the event loop until the condition holds: the server sees the socket close a tick after the client. */
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
