/**
 * What a process environment and a command line can carry: an environment is a list of C strings `NAME=value`,
 * so no NUL anywhere and no `=` (nor an empty name) in a name, and `fprocess` becomes a command's arguments, C
 * strings too. Refused at deploy, on every cluster, rather than accepted and failing when a process starts.
 */
import { quoted } from "../schema/problemText.ts"

export const environmentProblems = (
  envVars: Readonly<Record<string, string>> | null | undefined,
  envProcess: string | undefined
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  for (const [name, value] of Object.entries(envVars ?? {})) {
    if (name === "") problems.push("envVars: a variable's name must not be empty")
    else if (name.includes("\0")) problems.push(`envVars: the name ${quoted(name)} must not contain NUL`)
    else if (name.includes("=")) problems.push(`envVars: the name ${quoted(name)} must not contain "="`)
    if (value.includes("\0")) problems.push(`envVars: the value of ${quoted(name)} must not contain NUL`)
  }
  if (envProcess?.includes("\0") === true) problems.push(`envProcess: ${quoted(envProcess)} must not contain NUL`)
  return problems
}
