import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call } from "../support/http.ts"
import { exchange, openRequest, providerPort, rest } from "../support/rawHttp.ts"
import { settled, testApp } from "../support/testApp.ts"
import { makeTestFunction } from "../support/testFunction.ts"

const fn = makeTestFunction()

layer(testApp({ runner: fn.runner, env: { max_invoke_body_size: "16", max_header_size: "1Ki" } }), {
  excludeTestServices: true
})("limits on what a request may carry", (it) => {
  it.effect("headers or a URL over max_header_size are refused with 431", () =>
    Effect.gen(function*() {
      const port = yield* providerPort
      const bigHeader = yield* exchange(port, "GET", "/healthz", { "x-padding": "p".repeat(2048) })
      assert.strictEqual(bigHeader.status, 431)
      const longUrl = yield* exchange(port, "GET", `/function/x/${"a".repeat(2048)}`)
      assert.strictEqual(longUrl.status, 431)
      assert.strictEqual((yield* call("GET", "/healthz")).status, 200)
    }))

  it.effect("an invocation body over max_invoke_body_size is 413, declared or streamed", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("POST", "/system/functions", { service: "small", image: "x:1" })).status, 202)
      yield* settled
      const fits = yield* call("POST", "/function/small/echo", "0123456789")
      assert.strictEqual(fits.status, 200)
      const hitsBefore = fn.controls.hits.get("/declared") ?? 0
      const declared = yield* call("POST", "/function/small/declared", "x".repeat(100))
      assert.strictEqual(declared.status, 413)
      assert.include(declared.text, "max_invoke_body_size")
      assert.strictEqual(declared.headers["x-openfaas-internal"], "proxy")
      assert.strictEqual(fn.controls.hits.get("/declared") ?? 0, hitsBefore, "the function never saw it")
      const port = yield* providerPort
      const streamed = yield* Effect.promise(async () => {
        const { request, response } = openRequest(port, "POST", "/function/small/echo", {
          "transfer-encoding": "chunked"
        })
        request.write("x".repeat(10))
        request.write("y".repeat(10))
        request.end()
        const res = await response
        return { status: res.statusCode, text: await rest(res) }
      })
      assert.strictEqual(streamed.status, 413)
    }))
})
