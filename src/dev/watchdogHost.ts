/**
 * The dev cluster's node: one small process that serves the classic watchdog
 * (`classicWatchdog.ts`) of every allocation, each on its own port, and forks
 * the functions' processes. One process for all instances keeps an instance
 * to an HTTP server and a few kilobytes, where a process per instance cost a
 * whole Node runtime; the functions still run in processes of their own.
 *
 * Started by the provider with an IPC channel (`hostProtocol.ts`). When the
 * channel closes, whether the provider exited or was killed with SIGKILL, the
 * host kills every function process, removes every allocation directory, and
 * exits: nothing a provider started outlives it.
 */
import { rmSync } from "node:fs"
import { makeWatchdog, type Watchdog } from "./classicWatchdog.ts"
import type { FromHost, ToHost } from "./hostProtocol.ts"

const instances = new Map<string, { readonly watchdog: Watchdog; readonly cwd: string }>()

const send = (message: FromHost) => {
  if (process.connected) process.send!(message)
}

const start = (message: Extract<ToHost, { type: "start" }>) => {
  const { id, cwd } = message
  const watchdog = makeWatchdog({
    env: message.env,
    cwd,
    maxHeaderSize: message.maxHeaderSize,
    log: (stream, text) => send({ type: "log", id, stream, text }),
    onProcessGroup: (pid, live) => send({ type: "group", id, pid, live })
  })
  instances.set(id, { watchdog, cwd })
  watchdog.listen().then(
    (port) => send({ type: "listening", id, port }),
    (error: Error) => {
      instances.delete(id)
      send({ type: "failed", id, message: error.message })
    }
  )
}

const stop = (message: Extract<ToHost, { type: "stop" }>) => {
  const instance = instances.get(message.id)
  if (instance === undefined) return send({ type: "stopped", id: message.id })
  void instance.watchdog.stop(message.graceMillis).then(() => {
    instances.delete(message.id)
    send({ type: "stopped", id: message.id })
  })
}

process.on("message", (message: ToHost) => {
  if (message.type === "start") start(message)
  else stop(message)
})

process.on("disconnect", () => {
  for (const { watchdog, cwd } of instances.values()) {
    watchdog.kill()
    rmSync(cwd, { recursive: true, force: true })
  }
  process.exit(0)
})
// The provider's SIGTERM or Ctrl-C reaches its process group, this host included: the provider stops it.
process.on("SIGINT", () => {})
process.on("SIGTERM", () => {})
