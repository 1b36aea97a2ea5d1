import { assert, describe, it } from "@effect/vitest"
import { contractsGate, isCi } from "../support/contracts.ts"

describe("the contract tests' gate", () => {
  it("runs them when the samples are there, skips them in a public clone, fails CI without them", () => {
    assert.strictEqual(contractsGate(true, false), "run")
    assert.strictEqual(contractsGate(true, true), "run")
    assert.strictEqual(contractsGate(false, false), "skip")
    assert.strictEqual(contractsGate(false, true), "fail")
  })

  it("reads CI as CI systems set it", () => {
    for (const value of ["true", "1", "yes", "TRUE"]) assert.isTrue(isCi({ CI: value }), value)
    for (const value of [undefined, "", "0", "false", "False"]) assert.isFalse(isCi({ CI: value }), String(value))
  })
})
