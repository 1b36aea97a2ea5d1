/** No process of a dev function outlives what owns it: its request, its allocation. Edge inputs reach it intact. */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as ProcessRunner from "../../src/dev/ProcessRunner.ts"
import { eventually } from "../support/eventually.ts"
import { call, json } from "../support/http.ts"
import { childProcesses, processesRunning, uniqueSleep } from "../support/processes.ts"
import { openRequest, providerPort } from "../support/rawHttp.ts"
import { settled, testApp } from "../support/testApp.ts"

const deploy = (service: string, envProcess: string) =>
  Effect.gen(function*() {
    const answer = yield* call("POST", "/system/functions", { service, image: "functions/alpine:latest", envProcess })
    assert.strictEqual(answer.status, 202, answer.text)
    yield* settled
  })

const running = (command: string) => Effect.sync(() => processesRunning(command).length)

/** A function that starts two processes of its own and waits for them; `GET .../where` answers its directory. */
const treeScript = (sleeps: readonly [string, string]) => {
  const folder = mkdtempSync(join(tmpdir(), "faas-nomad-test-tree-"))
  const script = join(folder, "tree.sh")
  writeFileSync(
    script,
    `if [ "$Http_Path" = "/where" ]; then pwd; exit 0; fi\n${sleeps[0]} &\n${sleeps[1]} &\nwait\n`
  )
  chmodSync(script, 0o755)
  return { command: `sh ${script}`, remove: () => rmSync(folder, { recursive: true, force: true }) }
}

layer(testApp({ runner: ProcessRunner.layer, env: { read_timeout: "1s" } }), { excludeTestServices: true })(
  "the dev cluster's function processes",
  (it) => {
    it.effect("a request that ends early ends its process: the client went away, or read_timeout cut it", () =>
      Effect.gen(function*() {
        const port = yield* providerPort
        for (const how of ["aborted", "timed out"] as const) {
          const sleep = uniqueSleep()
          yield* deploy(how === "aborted" ? "abandoned" : "slow-client", sleep)
          const exchange = openRequest(port, "POST", `/function/${how === "aborted" ? "abandoned" : "slow-client"}`, {
            "content-length": "100"
          })
          exchange.response.catch(() => {})
          exchange.request.write("ten bytes.")
          yield* eventually(running(sleep), (n) => n === 1)
          if (how === "aborted") exchange.request.destroy()
          else assert.strictEqual((yield* Effect.promise(() => exchange.response)).statusCode, 408)
          yield* eventually(running(sleep), (n) => n === 0)
          exchange.request.destroy()
        }
      }))

    it.effect("deleting a function ends every process it started, their children too, and removes its directory", () =>
      Effect.gen(function*() {
        const sleeps = [uniqueSleep(), uniqueSleep()] as const
        const tree = treeScript(sleeps)
        yield* Effect.addFinalizer(() => Effect.sync(tree.remove))
        yield* deploy("tree", tree.command)
        const directory = (yield* call("GET", "/function/tree/where")).text.trim()
        assert.isTrue(existsSync(directory), directory)
        const port = yield* providerPort
        const exchange = openRequest(port, "POST", "/function/tree", { "content-length": "0" })
        exchange.response.catch(() => {})
        exchange.request.end()
        yield* eventually(Effect.all([running(sleeps[0]), running(sleeps[1])]), ([a, b]) => a === 1 && b === 1)
        assert.strictEqual((yield* call("DELETE", "/system/functions", { functionName: "tree" })).status, 202)
        yield* settled
        assert.deepStrictEqual(yield* Effect.all([running(sleeps[0]), running(sleeps[1])]), [0, 0])
        assert.isFalse(existsSync(directory), "the allocation's directory is removed")
        exchange.request.destroy()
      }))

    it.effect("the request's own method, path and query win over headers; a path starting with // stays one", () =>
      Effect.gen(function*() {
        yield* deploy("envdump", "env")
        const env = (yield* call("POST", "/function/envdump//evil.example/x?real=1", "x", {
          Path: "/evil",
          Method: "FAKE",
          Query: "a=b"
        })).text.split("\n")
        assert.includeMembers(env, ["Http_Method=POST", "Http_Path=//evil.example/x", "Http_Query=real=1"])
        assert.notInclude(env.join("\n"), "/evil\n")
      }))

    it.effect("a header the provider accepts (max_header_size, 64 KiB) reaches the function", () =>
      Effect.gen(function*() {
        yield* deploy("big-headers", "env")
        const big = "b".repeat(20_000)
        const answer = yield* call("POST", "/function/big-headers", "x", { "x-big": big })
        assert.strictEqual(answer.status, 200, answer.text.slice(0, 200))
        assert.include(answer.text, `Http_X_Big=${big}`)
      }))
  }
)

layer(testApp({ runner: ProcessRunner.layer }), { excludeTestServices: true })("a watchdog host that dies", (it) => {
  it.effect("takes its functions' processes with it, and its instances come back by the restart policy", () =>
    Effect.gen(function*() {
      yield* deploy("phoenix", "cat")
      const sleep = uniqueSleep()
      yield* deploy("in-flight", sleep)
      const exchange = openRequest(yield* providerPort, "POST", "/function/in-flight", { "content-length": "0" })
      exchange.response.catch(() => {})
      exchange.request.end()
      yield* eventually(running(sleep), (n) => n === 1)
      const [host] = childProcesses(process.pid, "watchdogHost")
      assert.isDefined(host)
      process.kill(host!, "SIGKILL")
      // What the host's functions were running goes with it.
      yield* eventually(running(sleep), (n) => n === 0)
      yield* eventually(
        Effect.map(call("GET", "/system/function/phoenix"), (a) => json(a).availableReplicas as number),
        (n) => n === 0
      )
      // toNomadJob's restart policy: again after 5 s, in place.
      yield* eventually(
        Effect.map(call("GET", "/system/function/phoenix"), (a) => json(a).availableReplicas as number),
        (n) => n === 1
      )
      assert.strictEqual((yield* call("POST", "/function/phoenix", "back")).text, "back")
    }))
})
