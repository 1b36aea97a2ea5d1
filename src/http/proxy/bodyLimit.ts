/**
 * A cap on invocation bodies (`max_invoke_body_size`): a declared length over
 * it is refused before anything is sent; a chunked body is counted as it
 * streams and cut off once it passes the cap.
 */
import type { IncomingMessage } from "node:http"
import { Transform, type TransformCallback } from "node:stream"

export class BodyTooLarge extends Error {
  readonly limitBytes: number
  constructor(limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes (max_invoke_body_size)`)
    this.limitBytes = limitBytes
  }
}

class CountingLimit extends Transform {
  private seen = 0
  private readonly limit: number
  constructor(limit: number) {
    super()
    this.limit = limit
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    this.seen += chunk.length
    if (this.seen > this.limit) return done(new BodyTooLarge(this.limit))
    done(null, chunk)
  }
}

/** The body to send, cut at `limit` bytes; `request` itself when there is no limit or the length is declared. */
export const limitedBody = (request: IncomingMessage, limit: number) => {
  if (limit <= 0 || request.headers["transfer-encoding"] === undefined) return request
  const counted = new CountingLimit(limit)
  request.once("error", (error) => counted.destroy(error))
  return request.pipe(counted)
}

/** Whether a declared length already exceeds the limit. */
export const declaredTooLarge = (request: IncomingMessage, limit: number): boolean => {
  const length = request.headers["content-length"]
  return limit > 0 && length !== undefined && Number(length) > limit
}
