/**
 * A task driver for the Nomad simulator that really runs something: each
 * allocation is a loopback HTTP server answering the watchdog's health path
 * and echoing every other request as JSON (method, url, headers, body).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { TaskDriver } from "../sim/nomad/NomadSimulator.ts"

export const echoDriver = (): TaskDriver & { readonly running: () => number } => {
  const servers = new Map<string, Server>()
  return {
    running: () => servers.size,
    start: (alloc) =>
      new Promise((resolve, reject) => {
        const server = createServer((request, response) => {
          if (request.url === "/_/health") return void response.writeHead(200).end("OK")
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
