/**
 * Nomad's allocation log stream: StreamFrame JSON objects concatenated with
 * no separator (`{"Offset":3,"Data":"aGkK","File":"alloc/logs/fn.stdout.0"}{}`),
 * heartbeats as `{}`. This splits the bytes into whole objects as they arrive
 * and yields the log bytes they carry.
 */

export interface StreamFrame {
  readonly Data?: string
  readonly Offset?: number
  readonly File?: string
  readonly FileEvent?: string
}

/** A decoder fed with chunks; returns the log bytes of every frame completed so far. */
export const makeFrameDecoder = () => {
  let pending = ""
  let depth = 0
  let inString = false
  let escaped = false
  let start = 0
  return (chunk: string): Array<Uint8Array> => {
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
          const frame = JSON.parse(text.slice(start, i + 1)) as StreamFrame
          if (frame.Data !== undefined && frame.Data !== "") out.push(Buffer.from(frame.Data, "base64"))
        }
      }
    }
    if (depth > 0) {
      pending = text.slice(start)
      start = 0
    }
    return out
  }
}
