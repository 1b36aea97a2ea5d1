/**
 * Every answer from /function/... is counted, by code, in provider_http_requests_total and in the per-function
 * invocation counter: the function's own failures under its name, a name that is no function under one fixed
 * series, so no URL can add a label.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, json } from "../support/http.ts"
import { nextChunk, openRequest, providerPort, rest } from "../support/rawHttp.ts"
import { settled, testApp } from "../support/testApp.ts"
import { makeTestFunction } from "../support/testFunction.ts"

const fn = makeTestFunction()

/** The value of one sample in the Prometheus text, 0 when it is absent. */
const sample = (text: string, series: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

const httpTotal = (code: number, method: string) =>
  `provider_http_requests_total{code="${code}",method="${method}",path="/function/{name}"}`
const invocationTotal = (name: string, code: number) =>
  `faas_nomad_function_invocation_total{function_name="${name}",namespace="${
    name === "_unknown" ? "_unknown" : "default"
  }",code="${code}"}`

layer(testApp({ runner: fn.runner, env: { max_invoke_body_size: "16", write_timeout: "1s" } }), {
  excludeTestServices: true
})(
  "invocation metrics",
  (it) => {
    it.effect("every code from /function/... is counted, per function or as _unknown, and no name leaks", () =>
      Effect.gen(function*() {
        const deploy = (service: string, labels: Record<string, string> = {}) =>
          call("POST", "/system/functions", { service, image: "x:1", labels })
        yield* deploy("metered", { "com.openfaas.max_inflight": "1", "com.openfaas.timeout": "200ms" })
        yield* settled
        // Its instances never start (until the gate opens at the end): an invocation waits out write_timeout, then 503.
        yield* deploy("gated-never")
        assert.strictEqual((yield* call("GET", "/function/metered")).status, 200)
        // 429: one invocation held open, a second refused.
        const port = yield* providerPort
        const held = yield* Effect.promise(async () => {
          const open = openRequest(port, "GET", "/function/metered/stream-out")
          open.request.end()
          const response = await open.response
          await nextChunk(response)
          return response
        })
        assert.strictEqual((yield* call("GET", "/function/metered")).status, 429)
        fn.controls.releaseStream()
        yield* Effect.promise(() => rest(held))
        const answers: Array<readonly ["GET" | "POST", string, string | undefined, number]> = [
          ["POST", "/function/metered/drop", "payload", 502],
          ["GET", "/function/metered/hang", undefined, 504],
          ["POST", "/function/metered", "x".repeat(100), 413],
          ["GET", "/function/gated-never", undefined, 503],
          ["GET", "/function/nobody-here", undefined, 404],
          ["GET", "/function/nobody-here.no-such-namespace", undefined, 404],
          ["GET", "/function/Not_A_Label", undefined, 400],
          ["GET", "/function/", undefined, 400]
        ]
        for (const [method, path, body, status] of answers) {
          assert.strictEqual((yield* call(method, path, body)).status, status, `${method} ${path}`)
        }
        fn.controls.openGate()
        // The status counts every invocation of the function, failed ones included.
        assert.strictEqual(json(yield* call("GET", "/system/function/metered")).invocationCount, 6)
        const text = (yield* call("GET", "/metrics")).text
        assert.strictEqual(sample(text, httpTotal(200, "GET")), 2)
        for (
          const [code, method] of [[429, "GET"], [502, "POST"], [504, "GET"], [413, "POST"], [503, "GET"]] as const
        ) {
          assert.strictEqual(sample(text, httpTotal(code, method)), 1, `${code}`)
        }
        assert.strictEqual(sample(text, httpTotal(404, "GET")), 2)
        assert.strictEqual(sample(text, httpTotal(400, "GET")), 2)
        assert.strictEqual(sample(text, invocationTotal("metered", 200)), 2)
        for (const code of [429, 502, 504, 413]) assert.strictEqual(sample(text, invocationTotal("metered", code)), 1)
        assert.strictEqual(sample(text, invocationTotal("gated-never", 503)), 1)
        assert.strictEqual(sample(text, invocationTotal("_unknown", 404)), 2)
        assert.strictEqual(sample(text, invocationTotal("_unknown", 400)), 2)
        for (const leak of ["nobody-here", "no-such-namespace", "Not_A_Label"]) assert.notInclude(text, leak)
        // One route-label style: the API's routes are templated as /function/{name} is.
        assert.include(text, `path="/system/function/{name}"`)
        assert.notMatch(text, /path="[^"]*:/)
      }))
  }
)
