/** SIGTERM drains: the provider stops taking connections, finishes the invocations under way, and exits 0. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, request as httpRequest, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { NomadSimulator, type TaskDriver } from "../sim/nomad/NomadSimulator.ts"
import { startCli } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"

/** A function that holds each request until the test releases it, telling the test when one arrives. */
const holdingDriver = () => {
  const servers: Array<Server> = []
  let arrived: () => void = () => {}
  let release: () => void = () => {}
  const arrival = new Promise<void>((resolve) => (arrived = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  const driver: TaskDriver = {
    start: () =>
      new Promise((resolve) => {
        const server = createServer((req, res) => {
          if (req.url === "/_/health") return void res.end("OK")
          arrived()
          void released.then(() => res.end("finished"))
        })
        servers.push(server)
        server.listen(
          0,
          "127.0.0.1",
          () => resolve({ address: "127.0.0.1", port: (server.address() as AddressInfo).port })
        )
      }),
    stop: () => Promise.resolve()
  }
  return { driver, arrival, release, close: () => servers.forEach((s) => s.close()) }
}

const get = (url: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = ""
      res.on("data", (c: Buffer) => (body += c.toString()))
      res.on("end", () => resolve({ status: res.statusCode!, body }))
    })
    req.once("error", reject)
    req.end()
  })

describe("graceful shutdown", () => {
  it.live("SIGTERM drains invocations under way, refuses new connections, and exits 0", () =>
    Effect.gen(function*() {
      const fn = holdingDriver()
      yield* Effect.addFinalizer(() => Effect.sync(fn.close))
      const nomad = yield* NomadSimulator.scoped({ driver: fn.driver })
      const provider = yield* startCli(["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"], {
        NOMAD_ADDR: nomad.url
      })
      const deployed = yield* Effect.promise(() =>
        fetch(`${provider.url}/system/functions`, {
          method: "POST",
          body: JSON.stringify({ service: "slow", image: "x:1" })
        })
      )
      assert.strictEqual(deployed.status, 202)
      const inFlight = get(`${provider.url}/function/slow/work`)
      yield* Effect.promise(() => fn.arrival)
      const exited = provider.terminate()
      // New connections are refused once SIGTERM arrived (eventually dies if they never are).
      yield* eventually(
        Effect.promise(() => get(`${provider.url}/healthz`).then(() => false, () => true)),
        (refused) => refused
      )
      // The log says it is stopping, and why, before it waits for the invocation under way.
      yield* eventually(Effect.sync(provider.output), (out) => out.includes("Stopping on SIGTERM"))
      assert.include(
        provider.output(),
        "Stopping on SIGTERM: no new connections; the requests under way have up to 1m (write_timeout) to finish"
      )
      assert.notInclude(provider.output(), "Stopped")
      fn.release()
      assert.deepStrictEqual(yield* Effect.promise(() => inFlight), { status: 200, body: "finished" })
      assert.strictEqual(yield* Effect.promise(() => exited), 0)
      assert.match(provider.output().trimEnd().split("\n").at(-1)!, /INFO .*: Stopped on SIGTERM$/)
    }))
})
