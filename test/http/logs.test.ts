import { assert, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { deploymentOf, provider } from "../support/client.ts"
import { call } from "../support/http.ts"
import { nextChunk, openRequest, providerPort } from "../support/rawHttp.ts"
import { testApp } from "../support/testApp.ts"
import { makeTestFunction } from "../support/testFunction.ts"

interface Line {
  readonly name: string
  readonly namespace: string
  readonly instance: string
  readonly timestamp: string
  readonly text: string
}

const ndjson = (text: string): Array<Line> => text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Line)

/** Deploys `service` with `count` instances and returns their allocation IDs. */
const deployed = (service: string, count = 1) =>
  Effect.gen(function*() {
    yield* (yield* provider).functions.deploy({
      query: {},
      payload: deploymentOf(service, { image: "x:1", labels: { "com.openfaas.scale.min": String(count) } })
    })
    const cluster = yield* MemoryCluster
    yield* cluster.settled
    return (yield* cluster.jobAllocations("default", `OpenFaaS-${service}`)).map((a) => a.ID)
  })

const fn = makeTestFunction()

layer(testApp({ runner: fn.runner }), { excludeTestServices: true })("/system/logs", (it) => {
  it.effect("every instance's stdout and stderr as NDJSON lines, ending when follow is false", () =>
    Effect.gen(function*() {
      const [a, b] = yield* deployed("chatty", 2)
      const cluster = yield* MemoryCluster
      cluster.appendLog(a!, "chatty", "stdout", "2026/11/29 10:00:00 Forking fprocess.\n")
      cluster.appendLog(a!, "chatty", "stderr", "warning: something\n")
      cluster.appendLog(b!, "chatty", "stdout", "2026/11/29 10:00:01 Wrote 5 Bytes - Duration: 0.01s\npartial")
      const answer = yield* call("GET", "/system/logs?name=chatty")
      assert.strictEqual(answer.status, 200)
      assert.include(answer.headers["content-type"], "application/x-ndjson")
      const lines = ndjson(answer.text)
      // Read again, through the typed client: the same lines (undated ones are dated when read, so not compared).
      const read = yield* Stream.runCollect(yield* (yield* provider).logs.logs({ query: { name: "chatty" } }))
      const sameLines = (all: ReadonlyArray<Line>) => all.map((l) => `${l.instance} ${l.text}`).sort()
      assert.deepStrictEqual(sameLines(read), sameLines(lines), "the typed client reads the same lines")
      assert.deepStrictEqual(lines.map((l) => l.text).sort(), [
        "2026/11/29 10:00:00 Forking fprocess.",
        "2026/11/29 10:00:01 Wrote 5 Bytes - Duration: 0.01s",
        "partial",
        "warning: something"
      ])
      const forking = lines.find((l) => l.text.includes("Forking"))!
      assert.deepStrictEqual(
        { ...forking },
        {
          name: "chatty",
          namespace: "default",
          instance: a!,
          timestamp: "2026-11-29T10:00:00.000Z",
          text: "2026/11/29 10:00:00 Forking fprocess."
        }
      )
      assert.deepStrictEqual(new Set(lines.map((l) => l.instance)), new Set([a!, b!]))
    }))

  it.effect("tail, since and instance narrow the lines", () =>
    Effect.gen(function*() {
      const [a, b] = yield* deployed("narrow", 2)
      const cluster = yield* MemoryCluster
      for (const alloc of [a!, b!]) {
        cluster.appendLog(alloc, "narrow", "stdout", "2026-11-29T09:00:00Z old\n2026-11-29T11:00:00Z new\n")
      }
      const tail = ndjson((yield* call("GET", "/system/logs?name=narrow&tail=1")).text)
      assert.deepStrictEqual(tail.map((l) => l.text), ["2026-11-29T11:00:00Z new", "2026-11-29T11:00:00Z new"])
      const since = ndjson((yield* call("GET", "/system/logs?name=narrow&since=2026-11-29T10:00:00Z")).text)
      assert.isTrue(since.every((l) => l.text.endsWith("new")))
      assert.strictEqual(since.length, 2)
      const one = ndjson((yield* call("GET", `/system/logs?name=narrow&instance=${b!.slice(0, 8)}`)).text)
      assert.isTrue(one.length === 2 && one.every((l) => l.instance === b))
    }))

  it.effect("tail is the last lines of each instance, stdout and stderr together, in the order of their times", () =>
    Effect.gen(function*() {
      const [a, b] = yield* deployed("ordered", 2)
      const cluster = yield* MemoryCluster
      cluster.appendLog(a!, "ordered", "stdout", "2026-11-29T09:00:00Z one\n2026-11-29T09:00:03Z four\n")
      cluster.appendLog(a!, "ordered", "stderr", "2026-11-29T09:00:01Z two\n2026-11-29T09:00:02Z three\n")
      cluster.appendLog(b!, "ordered", "stderr", "2026-11-29T08:00:00Z b-one\n2026-11-29T08:00:01Z b-two\n")
      const all = ndjson((yield* call("GET", "/system/logs?name=ordered")).text)
      assert.deepStrictEqual(all.map((l) => l.text.slice(21)), ["one", "two", "three", "four", "b-one", "b-two"])
      const tail = ndjson((yield* call("GET", "/system/logs?name=ordered&tail=3")).text)
      assert.deepStrictEqual(tail.map((l) => l.text.slice(21)), ["two", "three", "four", "b-one", "b-two"])
      // tail=-1 is every line, as faas-cli sends unless --lines is given.
      const unlimited = ndjson((yield* call("GET", "/system/logs?name=ordered&tail=-1")).text)
      assert.strictEqual(unlimited.length, 6)
    }))

  it.effect("a line without a time of its own is dated by the line before it, not by when it is read", () =>
    Effect.gen(function*() {
      const [a] = yield* deployed("traced")
      const cluster = yield* MemoryCluster
      cluster.appendLog(a!, "traced", "stdout", "2026/11/29 09:00:00 Forking fprocess.\n")
      cluster.appendLog(a!, "traced", "stderr", "2026/11/29 09:00:01 panic: boom\n  at handler (index.js:3)\n")
      cluster.appendLog(a!, "traced", "stdout", "2026/11/29 09:00:02 Wrote 0 Bytes\n")
      const lines = ndjson((yield* call("GET", "/system/logs?name=traced")).text)
      assert.deepStrictEqual(lines.map((l) => [l.timestamp, l.text]), [
        ["2026-11-29T09:00:00.000Z", "2026/11/29 09:00:00 Forking fprocess."],
        ["2026-11-29T09:00:01.000Z", "2026/11/29 09:00:01 panic: boom"],
        ["2026-11-29T09:00:01.000Z", "  at handler (index.js:3)"],
        ["2026-11-29T09:00:02.000Z", "2026/11/29 09:00:02 Wrote 0 Bytes"]
      ])
    }))

  it.effect("follow keeps the stream open and writes each new line as it comes", () =>
    Effect.gen(function*() {
      const [a] = yield* deployed("follower")
      const cluster = yield* MemoryCluster
      cluster.appendLog(a!, "follower", "stdout", "before\n")
      const port = yield* providerPort
      const [first, second] = yield* Effect.promise(async () => {
        const exchange = openRequest(port, "GET", "/system/logs?name=follower&follow=true")
        exchange.request.end()
        const response = await exchange.response
        const before = await nextChunk(response)
        cluster.appendLog(a!, "follower", "stdout", "after\n")
        const after = await nextChunk(response)
        response.destroy()
        return [JSON.parse(before) as Line, JSON.parse(after) as Line] as const
      })
      assert.strictEqual(first.text, "before")
      assert.strictEqual(second.text, "after")
    }))

  it.effect("bad tail or since is 422, a missing name 400, an unknown function 404", () =>
    Effect.gen(function*() {
      yield* deployed("strict")
      const tail = yield* call("GET", "/system/logs?name=strict&tail=many")
      assert.strictEqual(tail.status, 422)
      assert.include(tail.text, "could not parse the log request")
      assert.strictEqual((yield* call("GET", "/system/logs?name=strict&since=yesterday")).status, 422)
      const follow = yield* call("GET", "/system/logs?name=strict&follow=maybe")
      assert.strictEqual(follow.status, 422)
      assert.include(follow.text, `follow: "maybe" is not true or false`)
      assert.strictEqual((yield* call("GET", "/system/logs")).status, 400)
      assert.strictEqual((yield* call("GET", "/system/logs?name=nobody")).status, 404)
    }))

  it.effect("a function whose instances have not started answers 200 with no lines", () =>
    Effect.gen(function*() {
      yield* (yield* provider).functions.deploy({ query: {}, payload: deploymentOf("gated-quiet", { image: "x:1" }) })
      const answer = yield* call("GET", "/system/logs?name=gated-quiet")
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.text, "")
      fn.controls.openGate()
    }))
})
