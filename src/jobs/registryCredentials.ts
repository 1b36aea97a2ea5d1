/**
 * The provider's default registry credentials, from a Docker config.json:
 * `{"auths": {"registry.example.com": {"auth": "<base64 of user:password>"}}}`,
 * what `docker login` writes when no credential store is configured (an entry
 * may give `username` and `password` instead of `auth`). Credentials are kept
 * per registry so that they are only ever sent to the registry they belong to.
 * Problems name the registry, never a credential.
 */
import { Redacted, Result } from "effect"
import { decodeUserPassword, type RegistryAuth, type RegistryCredentials } from "./registryAuth.ts"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** `https://index.docker.io/v1/` and `registry.example.com:5000` as the host `registryHost` gives for an image. */
export const normalizeRegistryKey = (key: string): string => {
  const host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/", 1)[0]!.toLowerCase()
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host
}

const entryCredentials = (entry: unknown): Result.Result<RegistryAuth, string> => {
  if (!isRecord(entry)) return Result.fail("is not an object")
  const auth = entry["auth"]
  if (typeof auth === "string" && auth !== "") {
    return Result.mapError(decodeUserPassword(auth), (problem) => `"auth" ${problem}`)
  }
  const username = entry["username"]
  const password = entry["password"]
  if (typeof username === "string" && username !== "" && typeof password === "string") {
    return Result.succeed({ username, password: Redacted.make(password) })
  }
  return Result.fail(
    "has neither \"auth\" nor \"username\" and \"password\" (identity tokens and credential helpers are not read)"
  )
}

/** The credentials of a Docker config.json's `auths`, by registry host; every problem, one per line. */
export const parseDockerConfig = (text: string): Result.Result<RegistryCredentials, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Result.fail("is not valid JSON; expected a Docker config.json with \"auths\"")
  }
  const auths = isRecord(json) ? json["auths"] : undefined
  if (!isRecord(auths) || Object.keys(auths).length === 0) {
    return Result.fail("has no \"auths\" with credentials; expected a Docker config.json as docker login writes it")
  }
  const credentials = new Map<string, RegistryAuth>()
  const problems: Array<string> = []
  for (const [key, entry] of Object.entries(auths)) {
    const host = normalizeRegistryKey(key)
    const parsed = entryCredentials(entry)
    if (host === "") problems.push(`auths: an entry has no registry name`)
    else if (Result.isFailure(parsed)) problems.push(`auths.${JSON.stringify(host)} ${parsed.failure}`)
    else credentials.set(host, parsed.success)
  }
  return problems.length > 0 ? Result.fail(problems.join("\n")) : Result.succeed(credentials)
}
