import { assert, describe, it } from "@effect/vitest"
import { LoadBalancer } from "../../src/provider/LoadBalancer.ts"
import type { Endpoint } from "../../src/services/Discovery.ts"

const endpoint = (id: string): Endpoint => ({ id, address: "10.0.0.1", port: 8080, tags: [] })

const balancerOf = (...ids: ReadonlyArray<string>) => {
  const balancer = new LoadBalancer(0)
  balancer.replace(ids.map(endpoint))
  return balancer
}

const picks = (balancer: LoadBalancer, count: number, now = 0) =>
  Array.from({ length: count }, () => balancer.pick(now)?.id)

describe("LoadBalancer", () => {
  it("takes the instances in turn, and has none to give when discovery lists none", () => {
    assert.deepStrictEqual(picks(balancerOf("a", "b", "c"), 7), ["a", "b", "c", "a", "b", "c", "a"])
    assert.isUndefined(new LoadBalancer(0).pick(0))
  })

  it("leaves an instance that refused a connection out for 10 seconds, then takes it again", () => {
    const balancer = balancerOf("a", "b", "c")
    balancer.suspect("b", 1_000)
    assert.deepStrictEqual(picks(balancer, 4, 1_000), ["a", "c", "a", "c"])
    assert.deepStrictEqual(picks(balancer, 3, 10_999), ["a", "c", "a"])
    assert.deepStrictEqual(picks(balancer, 3, 11_000), ["b", "c", "a"])
  })

  it("still answers when every instance is suspect: the next in turn", () => {
    const balancer = balancerOf("a", "b")
    balancer.suspect("a", 0)
    balancer.suspect("b", 0)
    assert.deepStrictEqual(picks(balancer, 3), ["a", "b", "a"])
  })

  it("forgets a suspect discovery no longer lists, so it is taken at once when it comes back", () => {
    const balancer = balancerOf("a", "b")
    balancer.suspect("b", 0)
    balancer.replace([endpoint("a")])
    balancer.replace([endpoint("a"), endpoint("b")])
    assert.sameMembers(picks(balancer, 2), ["a", "b"])
  })

  it("is idle only with nothing in flight and no use for longer than the idle time", () => {
    const balancer = balancerOf("a")
    assert.isFalse(balancer.idle(600_000, 600_000))
    assert.isTrue(balancer.idle(600_001, 600_000))
    balancer.started(0)
    assert.strictEqual(balancer.inflight, 1)
    assert.isFalse(balancer.idle(600_001, 600_000), "an invocation in flight")
    balancer.finished(1)
    balancer.pick(500_000)
    assert.isFalse(balancer.idle(600_001, 600_000), "picking is a use")
    balancer.touch(700_000)
    assert.strictEqual(balancer.lastUsed, 700_000)
    assert.isTrue(balancer.idle(1_300_001, 600_000))
  })

  it("measures load: invocations started, and the time-weighted mean of those in flight, per window", () => {
    const balancer = balancerOf("a")
    // Two invocations: one from 0 to 1000 ms, one from 500 to 3000 ms; the window is taken at 2000 ms.
    balancer.started(0)
    balancer.started(500)
    balancer.finished(1000)
    assert.deepStrictEqual(balancer.takeLoad(2000), { started: 2, busyMillis: 1000 + 1500, inflight: 1 })
    // The next window, 2000 to 4000 ms: the long one is counted from where the last window stopped, no more.
    balancer.finished(3000)
    assert.deepStrictEqual(balancer.takeLoad(4000), { started: 0, busyMillis: 1000, inflight: 0 })
    assert.deepStrictEqual(balancer.takeLoad(9000), { started: 0, busyMillis: 0, inflight: 0 })
  })

  it("an invocation longer than many windows counts one in flight in each, not its whole length at the end", () => {
    const balancer = balancerOf("a")
    balancer.started(0)
    for (let window = 1; window <= 12; window++) {
      assert.strictEqual(balancer.takeLoad(window * 5000).busyMillis, 5000, `window ${window}`)
    }
    balancer.finished(62_000)
    assert.strictEqual(balancer.takeLoad(65_000).busyMillis, 2000)
  })
})
