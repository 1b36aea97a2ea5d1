/** The function every proxy benchmark variant reaches: a plain keep-alive HTTP server answering a short body. */
import { createServer } from "node:http"

const body = Buffer.from("Hello from the function\n")
const server = createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
  request.resume()
  request.on("end", () => {
    response.writeHead(200, { "content-type": "text/plain", "content-length": body.length })
    response.end(body)
  })
})
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`)
})
