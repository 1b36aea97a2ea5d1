/** What /proc (Linux) says of the processes on this machine: tests that check nothing is left running. */
import { readdirSync, readFileSync } from "node:fs"

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

/** The live processes (zombies left out) whose command line is exactly `command`, by pid. */
export const processesRunning = (command: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    const cmdline = read(`/proc/${pid}/cmdline`)
    if (cmdline === undefined || cmdline.split("\0").filter((p) => p !== "").join(" ") !== command) return false
    const stat = read(`/proc/${pid}/stat`)
    return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  }).map(Number)

/** The children of `parent` whose command line includes `part`. */
export const childProcesses = (parent: number, part: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    const stat = read(`/proc/${pid}/stat`)
    const ppid = stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    return ppid === parent && (read(`/proc/${pid}/cmdline`) ?? "").includes(part)
  }).map(Number)

/** A command no other test runs: `sleep <a number of seconds no one else picks>`, long enough to be left behind. */
export const uniqueSleep = (): string => `sleep ${800_000 + Math.floor(Math.random() * 100_000)}`
