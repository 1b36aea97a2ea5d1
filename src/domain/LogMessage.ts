/** One log line of a function, as faas-provider's `logs.Message`: the gateway and faas-cli read these as NDJSON. */
import { Schema } from "effect"

export const LogMessage = Schema.Struct({
  name: Schema.String.annotate({ description: "The function's name", examples: ["figlet"] }),
  namespace: Schema.String.annotate({ examples: ["default"] }),
  instance: Schema.String.annotate({ description: "The Nomad allocation that wrote it" }),
  timestamp: Schema.String.annotate({
    description: "RFC 3339: the time the line starts with, else when the provider read it",
    examples: ["2026-11-29T10:00:00.000Z"]
  }),
  text: Schema.String.annotate({ description: "The line, without its newline", examples: ["Forking fprocess."] })
}).annotate({ identifier: "LogMessage", description: "One line of a function's stdout or stderr" })
export type LogMessage = typeof LogMessage.Type
