/**
 * Basic auth on /system/*, as the declaration states it: the `basic` security
 * scheme, so the OpenAPI document and the typed client know of it, and the
 * 401 it answers with `WWW-Authenticate`, as faas-provider does. What checks
 * the credentials is in `../BasicAuth.ts`.
 */
import { Schema } from "effect"
import { HttpApiMiddleware, HttpApiSchema, HttpApiSecurity } from "effect/http-api"

export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {}) {}

const challenge = `Basic realm="Restricted"` as const
const refusal = "invalid credentials\n" as const

/** `invalid credentials`, 401, with the challenge a browser or curl answers with credentials. */
const InvalidCredentialsResponse = InvalidCredentials.pipe(
  HttpApiSchema.encodeToWithHeaders({
    body: Schema.Literal(refusal).pipe(HttpApiSchema.status(401), HttpApiSchema.asText()),
    headers: { "www-authenticate": Schema.Literal(challenge) }
  }, {
    decode: () => new InvalidCredentials(),
    encode: () => ({ body: refusal, headers: { "www-authenticate": challenge } })
  })
).annotate({ description: "No credentials, or not the provider's" })

export class Authentication extends HttpApiMiddleware.Service<Authentication>()("faas-nomad/Authentication", {
  security: { basic: HttpApiSecurity.basic },
  error: InvalidCredentialsResponse
}) {}
