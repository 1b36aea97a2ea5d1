/**
 * The official API samples in ../shared/contracts: beside the project here and
 * in CI, absent from a public clone. Without them the contract tests are
 * skipped, said once in one line by `contractsSetup.ts`; when `CI` is set,
 * their absence fails the run instead, since CI must check the clients
 * against the documentation.
 */
import { describe } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const contractsDir = fileURLToPath(new URL("../../../shared/contracts/", import.meta.url))

/** What to do about the contract tests: run them, skip them (saying why), or fail the run. */
export type ContractsGate = "run" | "skip" | "fail"

/** `CI` set to anything but an empty string, `0` or `false` means CI, as most CI systems and tools read it. */
export const isCi = (env: NodeJS.ProcessEnv): boolean => {
  const ci = env["CI"]
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false"
}

export const contractsGate = (present: boolean, ci: boolean): ContractsGate => present ? "run" : ci ? "fail" : "skip"

export const contractsPresent = (): boolean => existsSync(contractsDir)

export const skippedLine =
  `contract tests skipped: the official API samples (${contractsDir}) are not beside this checkout; CI runs them`

export const missingInCiLine =
  `contract tests need the official API samples at ${contractsDir} (../shared/contracts beside the project), and CI is set: they are missing`

/** `describe` for tests that read the samples: skipped when they are absent (and the run is not CI). */
export const describeContracts = describe.skipIf(contractsGate(contractsPresent(), isCi(process.env)) === "skip")

export const contractText = (path: string): string => readFileSync(`${contractsDir}${path}`, "utf8")

export const contractJson = (path: string): unknown => JSON.parse(contractText(path))
