/**
 * Reading a dependency's answer: what each status means (one table per call), JSON decoded with a schema, and a
 * status the call did not expect turned into an `UpstreamError`.
 */
import { Effect, Schema } from "effect"
import { type Dependency, UpstreamError } from "../../domain/errors.ts"
import { formatIssues } from "../../schema/issues.ts"
import type { ApiAnswer } from "./ApiClient.ts"

/** The answer's JSON body decoded with `schema`; an answer of another shape is `BadResponse`. */
export const decodeAnswer = <S extends Schema.Top & { readonly DecodingServices: never }>(
  dependency: Dependency,
  schema: S
) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (answer: ApiAnswer, what: string): Effect.Effect<S["Type"], UpstreamError> => {
    let json: unknown
    try {
      json = JSON.parse(answer.body)
    } catch {
      return Effect.fail(
        new UpstreamError({ dependency, reason: "BadResponse", message: `${what}: the answer is not JSON` })
      )
    }
    return decode(json, { errors: "all" }).pipe(
      Effect.mapError((error) =>
        new UpstreamError({ dependency, reason: "BadResponse", message: `${what}: ${formatIssues(error.issue)}` })
      )
    )
  }
}

/**
 * A status the caller did not expect: 403 is our token refused, 5xx the dependency failing, anything else odd.
 * `text` says what the dependency said; by default the start of its body.
 */
export const unexpected = (
  dependency: Dependency,
  answer: ApiAnswer,
  what: string,
  text = answer.body.trim().slice(0, 500) || `HTTP ${answer.status}`
): UpstreamError => {
  if (answer.status === 401 || answer.status === 403) {
    return new UpstreamError({ dependency, reason: "PermissionDenied", message: `${what}: ${text}` })
  }
  if (answer.status >= 500 || answer.status === 429) {
    return new UpstreamError({ dependency, reason: "Unavailable", message: `${what}: ${text}` })
  }
  return new UpstreamError({ dependency, reason: "BadResponse", message: `${what}: HTTP ${answer.status}: ${text}` })
}

/** What each status a call expects means; `orElse` for any other, usually `unexpected`. */
export interface StatusCases<A, E> {
  readonly [status: number]: (answer: ApiAnswer) => Effect.Effect<A, E>
  readonly orElse: (answer: ApiAnswer) => Effect.Effect<A, E>
}

/** The answer read by its status, as `HttpClientResponse.matchStatus` reads a response. */
export const matchStatus = <A, E>(answer: ApiAnswer, cases: StatusCases<A, E>): Effect.Effect<A, E> =>
  (cases[answer.status] ?? cases.orElse)(answer)
