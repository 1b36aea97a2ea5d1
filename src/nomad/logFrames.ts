/**
 * Nomad's allocation log stream: StreamFrame JSON objects concatenated with
 * no separator (`{"Offset":3,"Data":"aGkK","File":"alloc/logs/fn.stdout.0"}{}`),
 * heartbeats as `{}`. This splits the bytes into whole objects as they arrive,
 * decodes each with its schema, and yields the log bytes they carry.
 */
import { Result, Schema } from "effect"
import { nullable } from "../schema/fields.ts"

export const StreamFrame = Schema.Struct({
  /** Base64 of the log bytes; absent in heartbeats and file events. */
  Data: nullable(Schema.String),
  Offset: nullable(Schema.Number),
  File: nullable(Schema.String),
  FileEvent: nullable(Schema.String)
})
export type StreamFrame = typeof StreamFrame.Type

const decodeFrame = Schema.decodeUnknownResult(Schema.fromJsonString(StreamFrame))

/**
 * A decoder fed with chunks; answers the log bytes of every frame completed so far, or why a frame is not one
 * (the stream cannot be read past it).
 */
export const makeFrameDecoder = () => {
  let pending = ""
  let depth = 0
  let inString = false
  let escaped = false
  let start = 0
  return (chunk: string): Result.Result<Array<Uint8Array>, string> => {
    const text = pending + chunk
    const out: Array<Uint8Array> = []
    let i = pending.length
    pending = ""
    for (; i < text.length; i++) {
      const c = text[i]
      if (inString) {
        if (escaped) escaped = false
        else if (c === "\\") escaped = true
        else if (c === "\"") inString = false
        continue
      }
      if (c === "\"") inString = true
      else if (c === "{") {
        if (depth === 0) start = i
        depth++
      } else if (c === "}") {
        depth--
        if (depth === 0) {
          const frame = decodeFrame(text.slice(start, i + 1))
          if (Result.isFailure(frame)) return Result.fail(`a log frame is not a StreamFrame: ${frame.failure.message}`)
          const data = frame.success.Data
          if (data !== undefined && data !== null && data !== "") out.push(Buffer.from(data, "base64"))
        }
      }
    }
    if (depth > 0) {
      pending = text.slice(start)
      start = 0
    }
    return Result.succeed(out)
  }
}
