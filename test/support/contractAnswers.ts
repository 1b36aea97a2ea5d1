/**
 * What the API contract tests compare: an answer's status, the headers a
 * client reads to frame and interpret it (content type, length or chunking,
 * WWW-Authenticate, Allow, the proxy's mark) and its whole body, byte for
 * byte. A header not named in an expectation must be absent.
 */
import { assert } from "@effect/vitest"
import type { RawAnswer } from "./rawHttp.ts"

const framing = [
  "content-type",
  "content-length",
  "transfer-encoding",
  "www-authenticate",
  "allow",
  "x-openfaas-internal"
] as const

export interface Expected {
  readonly status: number
  readonly headers: Readonly<Partial<Record<(typeof framing)[number], string>>>
  readonly text: string
}

const length = (text: string) => String(Buffer.byteLength(text))

/** A plain-text problem, as every route answers bad input and failing dependencies. */
export const problem = (status: number, message: string): Expected => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8", "content-length": length(`${message}\n`) },
  text: `${message}\n`
})

/** A status with an empty body, framed by `content-length: 0`. */
export const empty = (status: number): Expected => ({ status, headers: { "content-length": "0" }, text: "" })

/** A JSON body, sent whole with its length. */
export const jsonBody = (value: unknown): Expected => {
  const text = JSON.stringify(value)
  return { status: 200, headers: { "content-type": "application/json", "content-length": length(text) }, text }
}

/** What `withoutTimes` leaves in place of a time: as long as the time, so lengths still compare. */
export const time = "0000-00-00T00:00:00.000Z"

/** Times the provider stamps (`createdAt`) read as `time`, so a body compares byte for byte otherwise. */
export const withoutTimes = (answer: RawAnswer): RawAnswer => ({
  ...answer,
  text: answer.text.replace(/"createdAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, `"createdAt":"${time}"`)
})

export const assertAnswer = (answer: RawAnswer, expected: Expected, what: string): void => {
  const seen = Object.fromEntries(
    framing.flatMap((name) => (answer.headers[name] === undefined ? [] : [[name, String(answer.headers[name])]]))
  )
  assert.deepStrictEqual(
    { status: answer.status, headers: seen, text: answer.text },
    { status: expected.status, headers: { ...expected.headers }, text: expected.text },
    what
  )
}
