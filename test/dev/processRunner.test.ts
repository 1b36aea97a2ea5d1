import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as ProcessRunner from "../../src/dev/ProcessRunner.ts"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { call, json } from "../support/http.ts"
import { settled, testApp } from "../support/testApp.ts"

const deploy = (service: string, envProcess: string | undefined, extra: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const answer = yield* call("POST", "/system/functions", {
      service,
      image: "functions/alpine:latest",
      ...(envProcess === undefined ? {} : { envProcess }),
      ...extra
    })
    assert.strictEqual(answer.status, 202, answer.text)
    yield* settled
  })

const logLines = (name: string) =>
  Effect.map(
    call("GET", `/system/logs?name=${name}`),
    (answer) => answer.text.split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { text: string }).text)
  )

layer(testApp({ runner: ProcessRunner.layer }), { excludeTestServices: true })(
  "the dev cluster's process runner",
  (it) => {
    it.effect("runs functions/alpine with cat, env and sha512sum as the classic watchdog does", () =>
      Effect.gen(function*() {
        yield* deploy("cat", "cat")
        yield* deploy("env", "env", { envVars: { GREETING: "hello there" } })
        yield* deploy("sha", "sha512sum")
        const echoed = yield* call("POST", "/function/cat", "some body")
        assert.deepStrictEqual([echoed.status, echoed.text], [200, "some body"])
        const env = (yield* call("POST", "/function/env/sub/path?a=1&b=2", "x", { "x-custom-header": "v1" })).text
        for (
          const line of [
            "Http_Method=POST",
            "Http_Path=/sub/path",
            "Http_Query=a=1&b=2",
            "Http_X_Custom_Header=v1",
            "GREETING=hello there",
            "fprocess=env"
          ]
        ) assert.include(env, line)
        assert.notInclude(env, "NOMAD_TOKEN")
        const hashed = yield* call("POST", "/function/sha", "hash me")
        assert.strictEqual(hashed.text, `${createHash("sha512").update("hash me").digest("hex")}  -\n`)
        const lines = yield* logLines("cat")
        assert.isTrue(lines.some((l) => /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} Forking fprocess\.$/.test(l)))
        assert.isTrue(lines.some((l) => /Wrote 9 Bytes - Duration: [\d.]+s$/.test(l)))
      }))

    it.effect("a failing fprocess answers 500 with its error; the watchdog keeps serving", () =>
      Effect.gen(function*() {
        yield* deploy("false", "false")
        const failed = yield* call("GET", "/function/false")
        assert.strictEqual(failed.status, 500)
        assert.include(failed.text, "exit status 1")
        yield* deploy("missing-binary", "no-such-program-anywhere")
        assert.strictEqual((yield* call("GET", "/function/missing-binary")).status, 500)
        assert.strictEqual((yield* call("GET", "/function/false")).status, 500)
      }))

    it.effect("secrets are readable by the function, and an updated secret reaches it", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* call("POST", "/system/secrets", { name: "api-key", value: "first" })).status, 201)
        yield* deploy("reader", "cat secrets/api-key", { secrets: ["api-key"] })
        assert.strictEqual((yield* call("GET", "/function/reader")).text, "first")
        assert.strictEqual((yield* call("PUT", "/system/secrets", { name: "api-key", value: "second" })).status, 200)
        assert.strictEqual((yield* call("GET", "/function/reader")).text, "second")
      }))

    it.effect("scaling starts and stops watchdog processes; deleting stops them all", () =>
      Effect.gen(function*() {
        yield* deploy("scaled", "cat")
        const cluster = yield* MemoryCluster
        yield* call("POST", "/system/scale-function/scaled", { replicas: 3 })
        yield* settled
        const running = (yield* cluster.jobAllocations("default", "OpenFaaS-scaled")).filter((a) =>
          a.ClientStatus === "running"
        )
        assert.strictEqual(running.length, 3)
        assert.strictEqual(json(yield* call("GET", "/system/function/scaled")).availableReplicas, 3)
        yield* call("POST", "/system/scale-function/scaled", { replicas: 1 })
        yield* settled
        assert.strictEqual(json(yield* call("GET", "/system/function/scaled")).availableReplicas, 1)
        assert.strictEqual((yield* call("POST", "/function/scaled", "still here")).text, "still here")
        yield* call("DELETE", "/system/functions", { functionName: "scaled" })
        yield* settled
        assert.strictEqual((yield* call("GET", "/function/scaled")).status, 404)
      }))

    it.effect("a function without envProcess says why in its logs and its invocations, at once", () =>
      Effect.gen(function*() {
        yield* deploy("figlet", undefined)
        const status = json(yield* call("GET", "/system/function/figlet"))
        assert.deepStrictEqual([status.replicas, status.availableReplicas], [1, 0])
        const invoked = yield* call("GET", "/function/figlet")
        assert.strictEqual(invoked.status, 503)
        assert.include(invoked.text, "has none, so it cannot run here")
        assert.isTrue((yield* logLines("figlet")).some((l) => l.includes("envProcess")))
      }))
  }
)
