import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { connect } from "node:net"
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
      for (const refused of [bigHeader, longUrl]) {
        assert.strictEqual(refused.headers["content-type"], "text/plain; charset=utf-8")
        assert.strictEqual(refused.text, "the request line and headers are larger than max_header_size (1024 bytes)\n")
      }
      assert.strictEqual((yield* call("GET", "/healthz")).status, 200)
    }))

  it.effect("a request that is not HTTP is a 400 saying so, in plain text", () =>
    Effect.gen(function*() {
      const port = yield* providerPort
      const answer = yield* Effect.promise(() =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"))
          let received = ""
          socket.on("data", (chunk: Buffer) => (received += chunk.toString()))
          socket.once("close", () => resolve(received))
          socket.once("error", reject)
        })
      )
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/)
      assert.include(answer, "Content-Type: text/plain; charset=utf-8\r\n")
      assert.match(answer, /\r\n\r\nthe request is not valid HTTP\/1\.1 \(HPE_[A-Z_]+\)\n$/)
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
