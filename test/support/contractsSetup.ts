/**
 * Vitest global setup: one line when the contract tests are skipped, and a
 * failed run when CI lacks the samples they need.
 */
import { contractsGate, contractsPresent, isCi, missingInCiLine, skippedLine } from "./contracts.ts"

export default function setup(): void {
  const gate = contractsGate(contractsPresent(), isCi(process.env))
  if (gate === "fail") throw new Error(missingInCiLine)
  if (gate === "skip") process.stdout.write(`${skippedLine}\n`)
}
