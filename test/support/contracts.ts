/**
 * The official API samples in ../shared/contracts (beside the project in CI).
 * A test that reads them fails with this message when they are absent.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const contractsDir = fileURLToPath(new URL("../../../shared/contracts/", import.meta.url))

export const requireContracts = (): void => {
  if (!existsSync(contractsDir)) {
    throw new Error(
      `contract tests need the official API samples at ${contractsDir} (../shared/contracts beside the project); it is missing`
    )
  }
}

export const contractText = (path: string): string => {
  requireContracts()
  return readFileSync(`${contractsDir}${path}`, "utf8")
}

export const contractJson = (path: string): unknown => JSON.parse(contractText(path))
