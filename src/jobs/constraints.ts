/**
 * The constraint grammar of the original faas-nomad, made stricter and wider:
 * `node.datacenter == dc1` selects a datacenter, anything else becomes a Nomad
 * constraint (`${attr.kernel.name} = linux`, `${meta.rack} != r1`,
 * `${attr.gpu} is_set`, `distinct_hosts`). A constraint that cannot be read is
 * reported, never silently dropped as the original did.
 */
import type { Constraint } from "../nomad/Job.ts"
import { quoted } from "../schema/problemText.ts"

export interface PlacementConstraints {
  readonly datacenters: ReadonlyArray<string>
  readonly constraints: ReadonlyArray<Constraint>
  readonly problems: ReadonlyArray<string>
}

/** Patterns over trimmed text, without a lazy group before a trailing anchor: linear on any input. */
const comparison = /^([^\s=!<>]+)\s*(==|!=|>=|<=|=|>|<)\s*(\S.*)$/s
const wordOperator = /^(\S+)\s+(regexp|set_contains|set_contains_all|set_contains_any|version|semver)\s+(\S.*)$/s
const unaryOperator = /^(\S+)\s+(is_set|is_not_set)$/

/** Longer than any real constraint; refusing more keeps a hostile deploy body from costing anything. */
export const maxConstraintLength = 1024

/** Docker Swarm style names OpenFaaS stacks carry, mapped to the Nomad attributes that mean the same. */
const attributeAliases: Record<string, string> = {
  "node.platform.os": "${attr.kernel.name}",
  "node.platform.arch": "${attr.cpu.arch}",
  "node.hostname": "${attr.unique.hostname}",
  "node.id": "${node.unique.id}"
}

const toTarget = (attribute: string): string =>
  attribute.startsWith("${") ? attribute : attributeAliases[attribute] ?? `\${${attribute}}`

const isDatacenter = (attribute: string) => /^(\$\{)?node\.datacenter\}?$/.test(attribute)

export const parseConstraints = (input: ReadonlyArray<string>): PlacementConstraints => {
  const datacenters: Array<string> = []
  const constraints: Array<Constraint> = []
  const problems: Array<string> = []
  for (const raw of input) {
    const text = raw.trim()
    if (text === "") continue
    if (text.length > maxConstraintLength) {
      problems.push(`constraints: a constraint of ${text.length} characters is longer than ${maxConstraintLength}`)
      continue
    }
    if (text === "distinct_hosts") {
      constraints.push({ Operand: "distinct_hosts", RTarget: "true" })
      continue
    }
    const unary = unaryOperator.exec(text)
    if (unary !== null) {
      constraints.push({ LTarget: toTarget(unary[1]!), Operand: unary[2]! })
      continue
    }
    const match = wordOperator.exec(text) ?? comparison.exec(text)
    if (match === null) {
      problems.push(
        `constraints: ${quoted(raw)} is not understood; expected "<attribute> <operator> <value>", ` +
          `e.g. "node.datacenter == dc1" or "\${attr.kernel.name} = linux"`
      )
      continue
    }
    const [, attribute, operator, value] = match as unknown as [string, string, string, string]
    if (isDatacenter(attribute) && (operator === "==" || operator === "=")) {
      datacenters.push(value)
      continue
    }
    constraints.push({ LTarget: toTarget(attribute), Operand: operator === "==" ? "=" : operator, RTarget: value })
  }
  return { datacenters, constraints, problems }
}
