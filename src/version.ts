/**
 * The provider's release and commit, for /system/info. The commit comes from
 * FAAS_NOMAD_GIT_SHA (set by the Docker build), else from the checkout's .git.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8").trim()
  } catch {
    return undefined
  }
}

const gitSha = (): string | undefined => {
  const gitDir = join(root, ".git")
  if (!existsSync(gitDir)) return undefined
  const head = readText(join(gitDir, "HEAD"))
  if (head === undefined) return undefined
  if (!head.startsWith("ref: ")) return head
  const ref = head.slice(5)
  const loose = readText(join(gitDir, ref))
  if (loose !== undefined) return loose
  const packed = readText(join(gitDir, "packed-refs"))?.split("\n").find((line) => line.endsWith(` ${ref}`))
  return packed?.split(" ")[0]
}

const packageVersion = (): string => {
  const json = readText(join(root, "package.json"))
  return json === undefined ? "0.0.0" : (JSON.parse(json) as { version: string }).version
}

export const release: string = packageVersion()
export const sha: string = process.env["FAAS_NOMAD_GIT_SHA"] || gitSha() || "unknown"
