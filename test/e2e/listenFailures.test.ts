/**
 * Where the provider cannot listen, the start ends with one line: the address and port, why, and the setting that
 * changes it; and exit code 1. `PORT` is read when `port` is not set.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type Server } from "node:net"
import { runCliToExit } from "../support/cli.ts"

/** A port on 127.0.0.1 that something else holds until the scope closes. */
const takenPort = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<Server>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => resolve(server))
    })
  ),
  (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
).pipe(Effect.map((server) => (server.address() as { port: number }).port))

/** The one line a start that fails writes; a setting that cannot be read is a usage error, exit code 2. */
const failedStart = (args: ReadonlyArray<string>, env: Record<string, string> = {}, code = 1) =>
  Effect.gen(function*() {
    const exited = yield* runCliToExit(["dev", ...args], env)
    assert.strictEqual(exited.code, code, exited.output)
    const lines = exited.output.split("\n").filter((line) => line !== "")
    assert.strictEqual(lines.length, 1, exited.output)
    return lines[0]!
  })

describe("a start that cannot listen", () => {
  it.live("a port in use names the address, the port, why, and the settings that change it", () =>
    Effect.gen(function*() {
      const port = yield* takenPort
      assert.strictEqual(
        yield* failedStart(["--port", String(port), "--bind-address", "127.0.0.1"]),
        `faas-nomad: cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE); ` +
          "set port (--port, PORT) to a free one, or stop that process"
      )
    }))

  it.live("an address that is not this machine's, or that does not resolve, names bind_address", () =>
    Effect.gen(function*() {
      // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): documentation only, never a local address.
      assert.strictEqual(
        yield* failedStart(["--port", "18081", "--bind-address", "192.0.2.1"]),
        "faas-nomad: cannot listen on 192.0.2.1:18081: 192.0.2.1 is not an address of this machine " +
          "(EADDRNOTAVAIL); set bind_address (--bind-address) to one of its addresses, or 0.0.0.0 for all"
      )
      assert.strictEqual(
        yield* failedStart(["--port", "18081", "--bind-address", "nowhere.invalid"]),
        "faas-nomad: cannot listen on nowhere.invalid:18081: nowhere.invalid does not resolve to an address " +
          "(ENOTFOUND); set bind_address (--bind-address) to an address of this machine, or 0.0.0.0 for all"
      )
    }))

  it.live("PORT is read when port is not set, and port wins over it", () =>
    Effect.gen(function*() {
      const viaPORT = yield* takenPort
      const viaPort = yield* takenPort
      assert.include(
        yield* failedStart(["--bind-address", "127.0.0.1"], { PORT: String(viaPORT) }),
        `cannot listen on 127.0.0.1:${viaPORT}: the port is in use`
      )
      assert.include(
        yield* failedStart(["--bind-address", "127.0.0.1"], { PORT: String(viaPORT), port: String(viaPort) }),
        `cannot listen on 127.0.0.1:${viaPort}: the port is in use`
      )
      assert.strictEqual(
        yield* failedStart(["--bind-address", "127.0.0.1"], { PORT: "http" }, 2),
        `faas-nomad: invalid PORT: expected a TCP port between 0 and 65535, got "http"`
      )
    }))
})
