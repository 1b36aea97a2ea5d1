/**
 * `registry_auth_file`, read once at start as basic auth's credentials are: a
 * file that cannot be read or understood stops the start with one line naming
 * it and what is wrong, never its contents.
 */
import { Effect, Result } from "effect"
import { readFileSync } from "node:fs"
import { StartupError } from "../config/StartupError.ts"
import type { RegistryCredentials } from "../jobs/registryAuth.ts"
import { parseDockerConfig } from "../jobs/registryCredentials.ts"

export const readRegistryCredentials = (path: string | undefined): Effect.Effect<RegistryCredentials, StartupError> =>
  path === undefined ? Effect.succeed(new Map()) : Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (cause) =>
      new StartupError({
        message: `registry_auth_file ${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`
      })
  }).pipe(
    Effect.flatMap((text) =>
      Result.match(parseDockerConfig(text), {
        onFailure: (problems) =>
          Effect.fail(new StartupError({ message: `registry_auth_file ${path} ${problems.split("\n").join("; ")}` })),
        onSuccess: Effect.succeed
      })
    )
  )
