/**
 * What the fuzz suites share, besides the raw node:http exchanges of
 * `../support/rawHttp.ts`: fast-check run inside an Effect test, and the
 * answer shapes every property checks.
 */
import { Effect } from "effect"
import * as fc from "fast-check"
import type { RawAnswer } from "../support/rawHttp.ts"

/** Every property runs from this seed, so a failure replays exactly. */
export const seed = 42

/** Runs an async property inside an Effect test; a counterexample fails the test with fast-check's report. */
export const check = <Ts extends Array<unknown>>(property: fc.IAsyncProperty<Ts>, numRuns: number) =>
  Effect.promise(() => fc.assert(property, { seed, numRuns }))

/** What the issue asks of every answer to bad input: a 4xx whose body says, in text, what is wrong. */
export const explainsProblem = (answer: RawAnswer): boolean =>
  answer.status >= 400 && answer.status < 500 &&
  String(answer.headers["content-type"] ?? "").startsWith("text/plain") &&
  answer.text.trim().length > 0

/** Not a 5xx; a 4xx says what is wrong. Throws with the whole answer so a counterexample reads well. */
export const assertClientAnswer = (what: string, answer: RawAnswer): void => {
  if (answer.status >= 500 || (answer.status >= 400 && !explainsProblem(answer))) {
    throw new Error(`${what} → ${answer.status} ${JSON.stringify(answer.headers)} ${JSON.stringify(answer.text)}`)
  }
}

/** Characters llhttp (Node's parser, strict mode) and Node's client both accept in a request target, except `?` and `#`. */
export const urlChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"$%&'()*+,-./:;<=>@[\\]^_`{|}~"

/** Text that may appear raw in a request target: URL characters, percent escapes (some malformed) and encoded unicode. */
export const urlText = (options: { readonly maxLength?: number; readonly slash?: boolean } = {}) => {
  const chars = options.slash === false ? urlChars.replace("/", "") : urlChars
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...chars) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "%",
        "%2",
        "%2F",
        "%2f",
        "%00",
        "%25",
        "%zz",
        "%E2%82",
        "%C0%AF",
        "..",
        ".",
        "%2e%2e",
        "//",
        "/../"
      )
        .filter((p) => options.slash !== false || !p.includes("/"))
    },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 3 }).map((s) => encodeURIComponent(s)) }
  )
  return fc.array(piece, { maxLength: options.maxLength ?? 24 }).map((pieces) => pieces.join(""))
}

/** Percent escapes that do not decode as UTF-8, which a router cannot turn into a parameter. */
export const hasMalformedEscape = (text: string): boolean => {
  try {
    decodeURIComponent(text)
    return false
  } catch {
    return true
  }
}

/** A DNS-1123 label: the shape of a valid function name. */
export const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/)
