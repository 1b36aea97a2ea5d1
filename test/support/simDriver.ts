/**
 * A task driver for the Nomad simulator that really runs something: each
 * allocation is a loopback HTTP server answering the watchdog's health path
 * and echoing every other request as JSON (method, url, headers, body);
 * `/hold` is answered only once `releaseHeld` is called.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { TaskDriver } from "../sim/nomad/NomadSimulator.ts"

export const echoDriver = (): TaskDriver & {
  readonly running: () => number
  /** Requests to `/hold` waiting to be answered. */
  readonly held: () => number
  readonly releaseHeld: () => void
} => {
  const servers = new Map<string, Server>()
  const held: Array<() => void> = []
  return {
    running: () => servers.size,
    held: () => held.length,
    releaseHeld: () => held.splice(0).forEach((answer) => answer()),
    start: (alloc) =>
      new Promise((resolve, reject) => {
        const server = createServer((request, response) => {
          if (request.url === "/_/health") return void response.writeHead(200).end("OK")
          if (request.url === "/hold") return void held.push(() => response.writeHead(200).end("released"))
          const chunks: Array<Buffer> = []
          request.on("data", (c: Buffer) => chunks.push(c))
          request.on(
            "end",
            () =>
              response.writeHead(200, { "content-type": "application/json", "x-alloc": alloc.id }).end(JSON.stringify({
                method: request.method,
                url: request.url,
                headers: request.headers,
                body: Buffer.concat(chunks).toString(),
                env: alloc.env
              }))
          )
        })
        server.once("error", reject)
        server.listen(0, "127.0.0.1", () => {
          servers.set(alloc.id, server)
          resolve({ address: "127.0.0.1", port: (server.address() as AddressInfo).port })
        })
      }),
    stop: (allocId) =>
      new Promise((resolve) => {
        const server = servers.get(allocId)
        servers.delete(allocId)
        if (server === undefined) return resolve()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
