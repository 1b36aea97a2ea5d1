/**
 * A stand-in function with behaviours chosen by path, for proxy tests. Every
 * wait is on a promise the test resolves, never on a timer.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http"
import type { AllocationSpec } from "../../src/layers/memory/AllocationRunner.ts"
import * as LoopbackRunner from "../../src/layers/memory/LoopbackRunner.ts"

export interface FunctionControls {
  /** Requests that reached a function, by path. */
  readonly hits: Map<string, number>
  /** Resolves `/stream-out`'s wait for its second chunk. */
  releaseStream: () => void
  /** Each instance's server, by allocation: a test may close one behind discovery's back. */
  readonly servers: Map<string, Server>
  /** Instances of functions named `gated-*` start only once this is called. */
  openGate: () => void
  /** Answers every `/hold` request so far, which waits for it. */
  releaseHeld: () => void
}

const echo = (spec: AllocationSpec, request: IncomingMessage, response: ServerResponse) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "x-alloc": spec.allocId }).end(JSON.stringify({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8")
    }))
  })
}

export const makeTestFunction = () => {
  let openGate = () => {}
  const gate = new Promise<void>((resolve) => {
    openGate = resolve
  })
  const held: Array<() => void> = []
  const controls: FunctionControls = {
    hits: new Map(),
    releaseStream: () => {},
    servers: new Map(),
    openGate,
    releaseHeld: () => held.splice(0).forEach((answer) => answer())
  }
  const handler = (spec: AllocationSpec): RequestListener => (request, response) => {
    const path = new URL(request.url ?? "/", "http://function").pathname
    controls.hits.set(path, (controls.hits.get(path) ?? 0) + 1)
    switch (path) {
      case "/status": {
        const code = Number(new URL(request.url!, "http://function").searchParams.get("code"))
        response.writeHead(code, { "x-custom": "kept", "content-type": "text/plain" }).end(`status ${code}`)
        return
      }
      case "/redirect":
        response.writeHead(302, { location: "/elsewhere" }).end()
        return
      case "/cookies":
        response.setHeader("set-cookie", ["a=1; Path=/", "b=2; HttpOnly"])
        response.writeHead(200, { "content-type": "text/plain" }).end("cookies")
        return
      case "/hang":
        return
      case "/hold":
        held.push(() => response.writeHead(200, { "content-type": "text/plain" }).end("released"))
        return
      case "/drop":
        request.socket.destroy()
        return
      case "/stream-out": {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("first\n")
        new Promise<void>((resolve) => {
          controls.releaseStream = resolve
        }).then(() => response.end("second\n"))
        return
      }
      case "/stream-in": {
        response.writeHead(200, { "content-type": "text/plain" })
        request.on("data", (chunk: Buffer) => response.write(`got:${chunk.toString("utf8")};`))
        request.on("end", () => response.end("end"))
        return
      }
      default:
        echo(spec, request, response)
    }
  }
  const runner = LoopbackRunner.layer(handler, {
    beforeStart: (spec) => (spec.task.Name.startsWith("gated-") ? gate : Promise.resolve()),
    onListening: (spec, server) => controls.servers.set(spec.allocId, server)
  })
  return { controls, runner }
}
