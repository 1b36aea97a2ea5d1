/**
 * Private registry credentials for the docker driver's `auth` block. A
 * function brings its own as `registryAuth` (base64 of `user:password`, as in
 * Docker's config.json); otherwise the provider's defaults for the registry
 * of its image apply (`registry_auth_file`). The password stays `Redacted`
 * until the job is written to Nomad, and problems never quote the value.
 */
import { Redacted, Result } from "effect"
import type { Job } from "../nomad/Job.ts"
import { metaKeys } from "./jobMeta.ts"

export interface RegistryAuth {
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/** Credentials by registry host (`docker.io`, `registry.example.com:5000`), from `registry_auth_file`. */
export type RegistryCredentials = ReadonlyMap<string, RegistryAuth>

/** Where a job's credentials came from, kept in its Meta: the provider's defaults are not the function's own. */
export type RegistryAuthSource = "function" | "default"

const base64Text = /^[A-Za-z0-9+/]*={0,2}$/
const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * `user:password` from its base64: the password is everything after the first
 * `:`, so it may hold colons. The problem, if any, says what is wrong without
 * quoting a byte of the value.
 */
export const decodeUserPassword = (encoded: string): Result.Result<RegistryAuth, string> => {
  const text = encoded.trim()
  if (!base64Text.test(text) || text.length % 4 === 1) {
    return Result.fail("is not valid base64; expected the base64 of user:password, as in Docker's config.json")
  }
  let decoded: string
  try {
    decoded = utf8.decode(Buffer.from(text, "base64"))
  } catch {
    return Result.fail("is not the base64 of text; expected the base64 of user:password")
  }
  const colon = decoded.indexOf(":")
  if (colon === -1) return Result.fail("decodes to a value without \":\"; expected the base64 of user:password")
  if (colon === 0) return Result.fail("decodes to a value with an empty user; expected the base64 of user:password")
  return Result.succeed({ username: decoded.slice(0, colon), password: Redacted.make(decoded.slice(colon + 1)) })
}

/** `registryAuth` as a deployment gives it: credentials, `null` for "none" (`""`), or a problem naming the field. */
export const parseRegistryAuth = (
  value: Redacted.Redacted<string>
): Result.Result<RegistryAuth | null, string> => {
  const text = Redacted.value(value)
  if (text.trim() === "") return Result.succeed(null)
  return Result.mapError(decodeUserPassword(text), (problem) => `registryAuth: ${problem}`)
}

/**
 * The registry an image is pulled from, as Docker reads a reference: the first
 * path component when it looks like a host (has a `.` or a `:`, or is
 * `localhost`), else Docker Hub.
 */
export const registryHost = (image: string): string => {
  const slash = image.indexOf("/")
  if (slash === -1) return "docker.io"
  const first = image.slice(0, slash).toLowerCase()
  const host = first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io"
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host
}

/** The docker driver's `auth` block: a list of one block, as the driver's config accepts in JSON. */
export const dockerAuthBlock = (auth: RegistryAuth) => [{ username: auth.username, password: auth.password }]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The credentials a job's docker task carries now, if any (an `auth` block, or a list of one, as the original wrote). */
export const currentRegistryAuth = (job: Job): RegistryAuth | undefined => {
  for (const group of job.TaskGroups ?? []) {
    for (const task of group.Tasks) {
      const block = task.Config?.["auth"]
      const auth = Array.isArray(block) ? block[0] : block
      if (!isRecord(auth) || typeof auth["username"] !== "string" || auth["username"] === "") continue
      const password = auth["password"]
      if (Redacted.isRedacted(password)) {
        return { username: auth["username"], password: password as Redacted.Redacted<string> }
      }
      if (typeof password === "string") return { username: auth["username"], password: Redacted.make(password) }
    }
  }
  return undefined
}

/**
 * What an update (or a scale that rewrites the job) keeps when the deployment
 * does not say: the function's own credentials, and those of a job the
 * provider did not write; never the provider's defaults, which are chosen
 * afresh so that a new `registry_auth_file` reaches every function.
 */
export const keptRegistryAuth = (job: Job): RegistryAuth | undefined =>
  job.Meta?.[metaKeys.registryAuth] === "default" ? undefined : currentRegistryAuth(job)

export interface ChosenRegistryAuth {
  readonly auth: RegistryAuth
  readonly source: RegistryAuthSource
}

/**
 * The credentials a job gets: the deployment's own (`""` removes them), else
 * those kept from the job's current version, else the provider's defaults
 * for the image's registry.
 */
export const chooseRegistryAuth = (
  given: Redacted.Redacted<string> | null | undefined,
  kept: RegistryAuth | undefined,
  defaults: RegistryCredentials,
  image: string
): Result.Result<ChosenRegistryAuth | undefined, string> => {
  const own = given == null ? Result.succeed(kept ?? null) : parseRegistryAuth(given)
  if (Result.isFailure(own)) return Result.fail(own.failure)
  if (own.success !== null) return Result.succeed({ auth: own.success, source: "function" })
  const fallback = defaults.get(registryHost(image))
  return Result.succeed(fallback === undefined ? undefined : { auth: fallback, source: "default" })
}
