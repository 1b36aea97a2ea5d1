/**
 * StatsD over UDP, fire and forget: lines are batched into datagrams of at
 * most 1432 bytes (no IP fragmentation on a 1500 MTU) and sent at least every
 * 100 ms. Sending never blocks a request and never fails one; a StatsD that
 * is down or unresolvable costs a warning in the log, once a minute at most.
 */
import { Clock, Effect, Scope } from "effect"
import { createSocket, type Socket } from "node:dgram"
import { isIPv6 } from "node:net"

export interface StatsdClient {
  /** Queues one line, e.g. `faas.nomadd.function.called:1|c`. */
  readonly send: (line: string) => void
}

const maxPacket = 1432
const flushMillis = 100

export const makeStatsdClient = (
  host: string,
  port: number,
  warn: (message: string) => void
): Effect.Effect<StatsdClient, never, Scope.Scope> =>
  Effect.gen(function*() {
    let socket: Socket | undefined
    let buffer = ""
    let lastWarning = Number.NEGATIVE_INFINITY
    const clock = yield* Clock.Clock
    const warnRarely = (message: string) => {
      const now = clock.currentTimeMillisUnsafe()
      if (now - lastWarning > 60_000) {
        lastWarning = now
        warn(message)
      }
    }
    const open = () => {
      const created = createSocket(isIPv6(host) ? "udp6" : "udp4")
      created.on("error", (error) => warnRarely(`StatsD at ${host}:${port}: ${error.message}`))
      created.unref()
      created.connect(port, host, () => {
        socket = created
      })
    }
    const flush = () => {
      if (buffer === "") return
      const packet = buffer
      buffer = ""
      if (socket === undefined) return
      socket.send(packet, (error) => {
        if (error) warnRarely(`StatsD at ${host}:${port}: ${error.message}`)
      })
    }
    open()
    const timer = setInterval(flush, flushMillis)
    timer.unref()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        clearInterval(timer)
        flush()
        socket?.close()
      })
    )
    return {
      send: (line) => {
        if (buffer.length + line.length + 1 > maxPacket) flush()
        buffer = buffer === "" ? line : `${buffer}\n${line}`
      }
    }
  })
