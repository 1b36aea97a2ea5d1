/**
 * What stops the provider from starting: a setting it cannot use, or a file
 * a setting names that cannot be read. The message names the setting; the
 * CLI prints it as one line and exits 1.
 */
import { Schema } from "effect"

export class StartupError extends Schema.TaggedError<StartupError>()("StartupError", {
  message: Schema.String
}) {}
