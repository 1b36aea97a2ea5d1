import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { EndpointResolver } from "../../src/provider/EndpointResolver.ts"
import { call, json } from "../support/http.ts"
import { exchange, nextChunk, openRequest, providerPort, rest } from "../support/rawHttp.ts"
import { settled, testApp } from "../support/testApp.ts"
import { makeTestFunction } from "../support/testFunction.ts"

const deploy = (service: string, extra: Record<string, unknown> = {}, query = "") =>
  Effect.gen(function*() {
    const answer = yield* call("POST", `/system/functions${query}`, { service, image: "test/fn:1", ...extra })
    assert.strictEqual(answer.status, 202, answer.text)
    yield* settled
  })

const fn = makeTestFunction()

layer(testApp({ runner: fn.runner }), { excludeTestServices: true })("the invocation proxy", (it) => {
  it.effect("forwards the method, sub-path (trailing slash kept) and raw query, and the body", () =>
    Effect.gen(function*() {
      yield* deploy("paths")
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["/function/paths", "/"],
        ["/function/paths/", "/"],
        ["/function/paths?x=1", "/?x=1"],
        ["/function/paths/a/b/?q=1&q=2&e=%20x", "/a/b/?q=1&q=2&e=%20x"],
        ["/function/paths/a%2Fb", "/a%2Fb"]
      ]
      for (const [path, expected] of cases) {
        assert.strictEqual(json(yield* call("GET", path)).url, expected, path)
      }
      for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
        const seen = json(yield* call(method, "/function/paths/m", `{"m":"${method}"}`))
        assert.strictEqual(seen.method, method)
        assert.strictEqual(seen.body, `{"m":"${method}"}`)
      }
      const head = yield* call("HEAD", "/function/paths")
      assert.strictEqual(head.status, 200)
    }))

  it.effect("passes every status and header through and does not follow redirects", () =>
    Effect.gen(function*() {
      yield* deploy("statuses")
      for (const code of [201, 204, 400, 404, 418, 500, 503]) {
        const answer = yield* call("GET", `/function/statuses/status?code=${code}`)
        assert.strictEqual(answer.status, code)
        if (code !== 204) assert.strictEqual(answer.headers["x-custom"], "kept")
        assert.isUndefined(answer.headers["x-openfaas-internal"])
      }
      const port = yield* providerPort
      const redirect = yield* exchange(port, "GET", "/function/statuses/redirect")
      assert.strictEqual(redirect.status, 302)
      assert.strictEqual(redirect.headers.location, "/elsewhere")
      const cookies = yield* exchange(port, "GET", "/function/statuses/cookies")
      assert.deepStrictEqual(cookies.headers["set-cookie"], ["a=1; Path=/", "b=2; HttpOnly"])
    }))

  it.effect("appends the peer to X-Forwarded-For, sets X-Forwarded-Host when absent, drops hop-by-hop headers", () =>
    Effect.gen(function*() {
      yield* deploy("headers")
      const plain = json(yield* call("GET", "/function/headers", undefined, { "x-request-id": "r1" }))
      assert.strictEqual(plain.headers["x-request-id"], "r1")
      assert.isString(plain.headers["x-forwarded-for"])
      assert.match(plain.headers["x-forwarded-host"], /^127\.0\.0\.1:\d+$/)
      const forwarded = json(
        yield* exchange(yield* providerPort, "GET", "/function/headers", {
          "x-forwarded-for": "203.0.113.7",
          "x-forwarded-host": "gateway.example",
          connection: "x-private",
          "x-private": "hop",
          "proxy-authorization": "Basic c2VjcmV0"
        })
      )
      assert.strictEqual(forwarded.headers["x-forwarded-for"], `203.0.113.7, ${plain.headers["x-forwarded-for"]}`)
      assert.strictEqual(forwarded.headers["x-forwarded-host"], "gateway.example")
      assert.isUndefined(forwarded.headers["x-private"])
      assert.isUndefined(forwarded.headers["proxy-authorization"])
    }))

  it.effect("Connection cannot strip the forwarding headers the provider sets", () =>
    Effect.gen(function*() {
      yield* deploy("forwarding")
      const port = yield* providerPort
      const peer = json(yield* exchange(port, "GET", "/function/forwarding")).headers["x-forwarded-for"]
      assert.match(peer, /^(::ffff:)?127\.0\.0\.1$/)
      const stripped = json(
        yield* exchange(port, "GET", "/function/forwarding", {
          "x-forwarded-for": "203.0.113.7",
          "x-forwarded-host": "gateway.example",
          connection: "X-Forwarded-For, X-Forwarded-Host"
        })
      )
      // The client declared its own values hop-by-hop: they go, and the provider's take their place.
      assert.strictEqual(stripped.headers["x-forwarded-for"], peer)
      assert.match(stripped.headers["x-forwarded-host"], /^127\.0\.0\.1:\d+$/)
    }))

  it.effect("streams the response: a chunk arrives before the function has finished", () =>
    Effect.gen(function*() {
      yield* deploy("streamer")
      const port = yield* providerPort
      const [first, second] = yield* Effect.promise(async () => {
        const open = openRequest(port, "GET", "/function/streamer/stream-out")
        open.request.end()
        const response = await open.response
        const head = await nextChunk(response)
        fn.controls.releaseStream()
        return [head, await rest(response)] as const
      })
      assert.strictEqual(first, "first\n")
      assert.strictEqual(second, "second\n")
    }))

  it.effect("streams the request: the function answers the first piece before the body ends", () =>
    Effect.gen(function*() {
      yield* deploy("uploader")
      const port = yield* providerPort
      const [early, late] = yield* Effect.promise(async () => {
        const open = openRequest(port, "POST", "/function/uploader/stream-in", { "transfer-encoding": "chunked" })
        open.request.write("part1")
        const response = await open.response
        const answered = await nextChunk(response)
        open.request.end("part2")
        return [answered, await rest(response)] as const
      })
      assert.strictEqual(early, "got:part1;")
      assert.strictEqual(late, "got:part2;end")
    }))

  it.effect("an unknown function is 404 and a bad name 400, both marked as the proxy's", () =>
    Effect.gen(function*() {
      const unknown = yield* call("GET", "/function/nobody-here")
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(unknown.headers["x-openfaas-internal"], "proxy")
      assert.strictEqual((yield* call("GET", "/function/Bad_Name")).status, 400)
      assert.strictEqual((yield* call("GET", "/function/")).status, 400)
    }))

  it.effect("a name that is empty once the namespace is split off is a function not found (the certifier's case)", () =>
    Effect.gen(function*() {
      const port = yield* providerPort
      // Sent as written: a client would resolve "/function/." to "/function/".
      for (const path of ["/function/.openfaas-fn", "/function/.openfaas-fn/x", "/function/.", "/function/.Bad_NS"]) {
        const answer = yield* exchange(port, "POST", path, {}, "")
        assert.strictEqual(answer.status, 404, path)
        assert.strictEqual(answer.headers["x-openfaas-internal"], "proxy")
        assert.include(answer.text, "not found")
      }
      // Present and malformed stays a 400.
      assert.strictEqual((yield* call("POST", "/function/Bad_Name.openfaas-fn", "")).status, 400)
    }))

  it.effect("a function at 0 replicas is scaled up by its first invocation, which waits for it", () =>
    Effect.gen(function*() {
      yield* deploy("sleepy", { labels: { "com.openfaas.scale.min": "2" } })
      yield* call("POST", "/system/scale-function/sleepy", { replicas: 0 })
      yield* settled
      assert.strictEqual(json(yield* call("GET", "/system/function/sleepy")).availableReplicas, 0)
      const woken = yield* call("GET", "/function/sleepy/hello")
      assert.strictEqual(woken.status, 200)
      assert.strictEqual(json(woken).url, "/hello")
      assert.strictEqual(json(yield* call("GET", "/system/function/sleepy")).replicas, 2)
    }))

  it.effect("the first invocation after a deploy waits for the first healthy instance", () =>
    Effect.gen(function*() {
      const deployed = yield* call("POST", "/system/functions", { service: "gated-fn", image: "test/fn:1" })
      assert.strictEqual(deployed.status, 202)
      const pending = yield* Effect.forkChild(call("GET", "/function/gated-fn/first"))
      assert.strictEqual(json(yield* call("GET", "/system/function/gated-fn")).availableReplicas, 0)
      fn.controls.openGate()
      const answer = yield* Fiber.join(pending)
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(json(answer).url, "/first")
    }))

  it.effect("an unhealthy instance gets no traffic; a request waits for one to be healthy again", () =>
    Effect.gen(function*() {
      yield* deploy("flaky")
      const cluster = yield* MemoryCluster
      const [only] = yield* cluster.jobAllocations("default", "OpenFaaS-flaky")
      assert.strictEqual((yield* call("GET", "/function/flaky")).status, 200)
      yield* cluster.setAllocationHealth(only!.ID, false)
      assert.strictEqual(json(yield* call("GET", "/system/function/flaky")).availableReplicas, 0)
      const hits = fn.controls.hits.get("/waiting") ?? 0
      const waiting = yield* Effect.forkChild(call("GET", "/function/flaky/waiting"))
      assert.strictEqual(fn.controls.hits.get("/waiting") ?? 0, hits)
      yield* cluster.setAllocationHealth(only!.ID, true)
      assert.strictEqual((yield* Fiber.join(waiting)).status, 200)
    }))

  it.effect("an instance that refuses connections is skipped: bodiless requests go to another", () =>
    Effect.gen(function*() {
      yield* deploy("failover", { labels: { "com.openfaas.scale.min": "2" } })
      const cluster = yield* MemoryCluster
      const [dead] = yield* cluster.jobAllocations("default", "OpenFaaS-failover")
      yield* Effect.promise(() =>
        new Promise<void>((resolve) => fn.controls.servers.get(dead!.ID)!.close(() => resolve()))
      )
      for (let i = 0; i < 6; i++) {
        const answer = yield* call("GET", "/function/failover")
        assert.strictEqual(answer.status, 200)
        assert.notStrictEqual(answer.headers["x-alloc"], dead!.ID)
      }
    }))

  it.effect("com.openfaas.max_inflight caps concurrent invocations with 429", () =>
    Effect.gen(function*() {
      yield* deploy("capped", { labels: { "com.openfaas.max_inflight": "1" } })
      const port = yield* providerPort
      const held = yield* Effect.promise(async () => {
        const open = openRequest(port, "GET", "/function/capped/stream-out")
        open.request.end()
        const response = await open.response
        await nextChunk(response)
        return response
      })
      const refused = yield* call("GET", "/function/capped")
      assert.strictEqual(refused.status, 429)
      assert.strictEqual(refused.headers["x-openfaas-internal"], "proxy")
      fn.controls.releaseStream()
      yield* Effect.promise(() => rest(held))
      assert.strictEqual((yield* call("GET", "/function/capped")).status, 200)
    }))

  it.effect("com.openfaas.timeout bounds one function's invocations", () =>
    Effect.gen(function*() {
      yield* deploy("quick", { labels: { "com.openfaas.timeout": "200ms" } })
      const answer = yield* call("GET", "/function/quick/hang")
      assert.strictEqual(answer.status, 504)
      assert.include(answer.text, "200 ms")
    }))

  it.effect("name.namespace splits at the last dot", () =>
    Effect.gen(function*() {
      const cluster = yield* MemoryCluster
      yield* cluster.createNamespace("team-b", { openfaas: "1" })
      yield* deploy("spaced", {}, "?namespace=team-b")
      assert.strictEqual((yield* call("GET", "/function/spaced.team-b/x")).status, 200)
      assert.strictEqual((yield* call("GET", "/function/spaced")).status, 404)
      assert.strictEqual((yield* call("GET", "/function/spaced.unknown-ns")).status, 404)
    }))

  it.effect("balances across instances and counts invocations", () =>
    Effect.gen(function*() {
      yield* deploy("balanced", { labels: { "com.openfaas.scale.min": "3" } })
      const allocs = new Set<string>()
      for (let i = 0; i < 6; i++) allocs.add((yield* call("GET", "/function/balanced")).headers["x-alloc"]!)
      assert.strictEqual(allocs.size, 3)
      assert.strictEqual(json(yield* call("GET", "/system/function/balanced")).invocationCount, 6)
    }))

  it.effect("never retries a request with a body: a dropped connection is one attempt and a 502", () =>
    Effect.gen(function*() {
      yield* deploy("dropper")
      const answer = yield* call("POST", "/function/dropper/drop", "payload")
      assert.strictEqual(answer.status, 502)
      assert.strictEqual(answer.headers["x-openfaas-internal"], "proxy")
      assert.strictEqual(fn.controls.hits.get("/drop"), 1)
    }))
})

describe("without scale from zero", () => {
  const idle = makeTestFunction()
  layer(testApp({ runner: idle.runner, env: { scale_from_zero: "false" } }), { excludeTestServices: true })(
    "a function at 0 replicas",
    (it) => {
      it.effect("answers 503: known, but no instance is ready", () =>
        Effect.gen(function*() {
          yield* deploy("resting")
          yield* call("POST", "/system/scale-function/resting", { replicas: 0 })
          yield* settled
          const answer = yield* call("GET", "/function/resting")
          assert.strictEqual(answer.status, 503)
          assert.strictEqual(answer.headers["x-openfaas-internal"], "proxy")
          assert.include(answer.text, "resting")
          assert.strictEqual(json(yield* call("GET", "/system/function/resting")).replicas, 0)
        }))
    }
  )
})

describe("invocation timeout", () => {
  const hanging = makeTestFunction()
  layer(testApp({ runner: hanging.runner, env: { write_timeout: "300ms" } }), { excludeTestServices: true })(
    "a function that never answers",
    (it) => {
      it.effect("gets 504 once write_timeout passes", () =>
        Effect.gen(function*() {
          yield* deploy("hanger")
          const answer = yield* call("GET", "/function/hanger/hang")
          assert.strictEqual(answer.status, 504)
          assert.strictEqual(answer.headers["x-openfaas-internal"], "proxy")
          assert.include(answer.text, "300 ms")
        }))
    }
  )
})

describe("the proxy on the test clock", () => {
  // Built inside the test, so the resolver and the proxy read TestClock.
  it.effect("invocations keep a function watched; ten minutes without one stop the watch", () =>
    Effect.gen(function*() {
      yield* deploy("busy")
      const resolver = yield* EndpointResolver
      assert.strictEqual((yield* call("GET", "/function/busy")).status, 200)
      const watched = resolver.peek("default/busy")
      assert.isDefined(watched)
      // Every later invocation takes the fast path: only the proxy's own reading of the clock marks the use.
      for (let minute = 5; minute <= 30; minute += 5) {
        yield* TestClock.adjust("5 minutes")
        assert.strictEqual((yield* call("GET", "/function/busy")).status, 200)
      }
      assert.strictEqual(resolver.peek("default/busy"), watched, "still the first watch after 30 minutes of use")
      yield* TestClock.adjust("11 minutes")
      assert.isUndefined(resolver.peek("default/busy"))
      assert.isFalse(watched!.active)
      assert.strictEqual((yield* call("GET", "/function/busy")).status, 200, "the next invocation watches it again")
      assert.isDefined(resolver.peek("default/busy"))
    }).pipe(Effect.provide(testApp())))
})
