/**
 * Problems turned into the text of an error body, bounded whatever the input: a list of problems keeps its first
 * `maxProblems` and says how many more there are, each line is cut at `maxLineLength`, and an input quoted back to
 * its sender is cut at `maxQuoted` characters. A request naming 5,000 missing secrets, or a 100 KB namespace, gets
 * an answer of a few kilobytes that still says what is wrong.
 */

export const maxProblems = 20
export const maxQuoted = 200
/** Room for a path, a message and one quoted input. */
export const maxLineLength = 600

const cut = (text: string, limit: number): string =>
  text.length <= limit ? text : `${text.slice(0, limit)}... (${text.length - limit} more characters)`

/** An input kept in an error's data to be shown later, cut as `quoted` cuts it. */
export const cutInput = (input: string): string => cut(input, maxQuoted)

/**
 * An input as the sender wrote it, cut at `maxQuoted` characters, as a JSON string: quotes, line breaks and
 * control characters escaped, so an input cannot break the one-problem-a-line shape of the text.
 */
export const quoted = (input: string): string => JSON.stringify(cut(input, maxQuoted))

/** One problem a line, at most `maxProblems` of them, then `and N more problems`. */
export const problemList = (problems: ReadonlyArray<string>): string => {
  const lines = problems.slice(0, maxProblems).map((problem) => cut(problem, maxLineLength))
  const more = problems.length - maxProblems
  if (more > 0) lines.push(`and ${more} more ${more === 1 ? "problem" : "problems"}`)
  return lines.join("\n")
}
