/**
 * The README's console sessions as data: each `$ ` command (with its `\` continuation lines) and the output shown
 * after it; and the comparison of a real output with the README's, which allows for what changes from run to run
 * only: ids (UUIDs), times (timestamps, the watchdog's measured durations) and ports.
 */

export interface SessionStep {
  readonly command: string
  readonly output: ReadonlyArray<string>
}

/** The steps of the first ```console block after `heading` in `markdown`. */
export const consoleSession = (markdown: string, heading: string): Array<SessionStep> => {
  const section = markdown.indexOf(`\n${heading}\n`)
  if (section === -1) throw new Error(`no section ${heading}`)
  const open = markdown.indexOf("```console\n", section)
  const close = markdown.indexOf("\n```", open + 1)
  const lines = markdown.slice(open + "```console\n".length, close).split("\n")
  const steps: Array<{ command: string; output: Array<string> }> = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith("$ ")) {
      let command = line.slice(2)
      while (command.endsWith("\\") && i + 1 < lines.length) command = `${command}\n${lines[++i]!}`
      steps.push({ command, output: [] })
    } else {
      if (steps.length === 0) throw new Error(`output before any command: ${line}`)
      steps.at(-1)!.output.push(line)
    }
  }
  return steps
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const isoTime = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g
const goLogTime = /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}/g
const measuredDuration = /Duration: \d+\.\d+s/g
const port = /(localhost|127\.0\.0\.1):\d+/g

/** A line with its ids, times and ports replaced by placeholders. */
export const normalized = (line: string): string =>
  line.replace(uuid, "<id>")
    .replace(isoTime, "<time>")
    .replace(goLogTime, "<time>")
    .replace(measuredDuration, "Duration: <duration>")
    .replace(port, "$1:<port>")

/** What a command printed, as lines to compare: carriage returns dropped, no trailing empty line. */
export const outputLines = (stdout: string): Array<string> => {
  const text = stdout.replace(/\r/g, "").replace(/\n$/, "")
  return text === "" ? [] : text.split("\n")
}

/** Whether `actual` is `expected` but for ids, times and ports. */
export const sameOutput = (expected: ReadonlyArray<string>, actual: ReadonlyArray<string>): boolean =>
  expected.length === actual.length && expected.every((line, i) => normalized(line) === normalized(actual[i]!))
