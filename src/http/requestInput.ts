/**
 * A value decoded with a schema, every problem at once: `InvalidRequest`
 * with one `path: problem` line each (`service: must be a DNS-1123 label`).
 * What a route decodes by hand (the logs' function name) reads like what the
 * declaration decodes (see `api/Conventions.ts`).
 */
import { Effect, Schema } from "effect"
import { InvalidRequest } from "../domain/errors.ts"
import { formatIssues } from "../schema/issues.ts"

export const decodeWith = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, root?: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (input: unknown): Effect.Effect<S["Type"], InvalidRequest> =>
    decode(input, { errors: "all" }).pipe(
      Effect.mapError((error) => new InvalidRequest({ message: formatIssues(error.issue, root) }))
    )
}
