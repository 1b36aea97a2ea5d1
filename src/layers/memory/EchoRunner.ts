/**
 * Allocations that echo every request (method, URL, headers and body) back as
 * JSON: a stand-in function for tests of the proxy, and for an embedding app
 * that wants the in-memory cluster without running processes. The dev
 * cluster runs `ProcessRunner`.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AllocationSpec } from "./AllocationRunner.ts"
import * as LoopbackRunner from "./LoopbackRunner.ts"

const echo = (spec: AllocationSpec) => (request: IncomingMessage, response: ServerResponse) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const body = JSON.stringify({
      allocId: spec.allocId,
      function: spec.task.Name,
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8")
    })
    response.writeHead(200, { "content-type": "application/json", "x-echo-alloc": spec.allocId }).end(body)
  })
}

export const layer = LoopbackRunner.layer(echo)
