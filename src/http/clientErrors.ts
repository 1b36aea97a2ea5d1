/**
 * What Node's HTTP server answers itself, before any route sees the request (headers over `max_header_size`, a
 * request that is not HTTP, one that does not arrive within `read_timeout`), said in plain text as every other
 * provider error: Node's own answers have an empty body.
 */
import type { Socket } from "node:net"

interface ClientError extends Error {
  readonly code?: string
}

const answer = (status: number, reason: string, message: string) => {
  const body = `${message}\n`
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}

export const clientErrorAnswer = (
  error: ClientError,
  limits: { readonly maxHeaderSize: number; readonly readTimeout: string }
): string => {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return answer(
        431,
        "Request Header Fields Too Large",
        `the request line and headers are larger than max_header_size (${limits.maxHeaderSize} bytes)`
      )
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return answer(413, "Payload Too Large", "the chunk extensions of the request body are too large")
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return answer(408, "Request Timeout", `the request did not arrive within read_timeout (${limits.readTimeout})`)
    default:
      return answer(400, "Bad Request", `the request is not valid HTTP/1.1 (${error.code ?? error.message})`)
  }
}

/** Node's `clientError` listener, as Node's own: answers if nothing was written yet, then closes the connection. */
export const answerClientError =
  (limits: { readonly maxHeaderSize: number; readonly readTimeout: string }) =>
  (error: ClientError, socket: Socket) => {
    if (socket.writable && socket.bytesWritten === 0) socket.write(clientErrorAnswer(error, limits))
    socket.destroy()
  }
