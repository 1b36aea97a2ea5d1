/**
 * HTTP basic auth on /system/*, as faas-provider does it: credentials read
 * once at start from `<secret_mount_path>/basic-auth-user` and
 * `basic-auth-password` (trimmed; a missing or empty file stops the start, so
 * empty credentials can never pass), compared
 * in constant time, a failure answered 401 with `WWW-Authenticate`. The
 * gateway injects the same credentials into the calls it forwards.
 */
import { Effect, Layer, Redacted } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createHash, timingSafeEqual } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { StartupError } from "../config/StartupError.ts"
import { Authentication, InvalidCredentials } from "./api/Authentication.ts"

export interface Credentials {
  readonly user: string
  readonly password: Redacted.Redacted<string>
}

const readTrimmed = (path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8").trim(),
    catch: (cause) =>
      new StartupError({
        message: `basic_auth is on but ${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`
      })
  }).pipe(
    Effect.filterOrFail(
      (text) => text !== "",
      () => new StartupError({ message: `basic_auth is on but ${path} is empty` })
    )
  )

/** The credentials files, or an error naming the one that cannot be read. */
export const readCredentials = (secretMountPath: string): Effect.Effect<Credentials, StartupError> =>
  Effect.all({
    user: readTrimmed(join(secretMountPath, "basic-auth-user")),
    password: Effect.map(readTrimmed(join(secretMountPath, "basic-auth-password")), Redacted.make)
  })

const digest = (text: string) => createHash("sha256").update(text).digest()

/** Whether an `Authorization` header carries these credentials; the comparison takes the same time either way. */
export const authorizes = (credentials: Credentials, header: string | undefined): boolean => {
  const expected = digest(`${credentials.user}:${Redacted.value(credentials.password)}`)
  const match = header === undefined ? null : /^basic\s+(\S+)$/i.exec(header.trim())
  const given = match === null ? "" : Buffer.from(match[1]!, "base64").toString("utf8")
  return timingSafeEqual(expected, digest(given)) && match !== null
}

const unauthorized = HttpServerResponse.text("invalid credentials\n", {
  status: 401,
  headers: { "www-authenticate": `Basic realm="Restricted"` }
})

/** Whether a request may pass: always when basic auth is off; read once, at start. */
const admits = Effect.gen(function*() {
  const config = yield* ProviderConfig
  if (!config.basicAuth) return undefined
  const credentials = yield* readCredentials(config.secretMountPath)
  return (request: HttpServerRequest.HttpServerRequest) => authorizes(credentials, request.headers["authorization"])
})

/**
 * The declaration's `basic` security, checked as above. HttpApi decodes the
 * credentials itself, more strictly (one space after `Basic`, padded
 * base64); the check reads the header as faas-provider does instead.
 */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(admits, (admit) =>
    Authentication.of({
      basic: <E, R>(httpEffect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
        admit === undefined
          ? httpEffect
          : Effect.flatMap(
            HttpServerRequest.HttpServerRequest,
            (request): Effect.Effect<HttpServerResponse.HttpServerResponse, E | InvalidCredentials, R> =>
              admit(request) ? httpEffect : Effect.fail(new InvalidCredentials())
          )
    }))
)

/** The same check on the few /system routes outside the declaration (other methods on /system/secrets). */
export const BasicAuth = HttpRouter.middleware(Effect.map(admits, (admit) => (httpEffect) =>
  admit === undefined
    ? httpEffect
    : Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) => (admit(request) ? httpEffect : Effect.succeed(unauthorized))
    )))
