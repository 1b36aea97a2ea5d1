/**
 * go-bexpr's checking and evaluation over Consul's result types. Consul builds
 * the filter for the Go type of the result before it runs the query, so an
 * unknown selector or an operator the field does not support fails the
 * request, not just the match. Evaluation follows go-bexpr 0.1.x: a selector
 * through a list matches when any element does, and a missing map key makes
 * `==`, `in` and `is not empty` false and their negations true.
 */
import { parseGoBool } from "../GoParsers.ts"
import { type Expression, type MatchOperator, parseBexpr } from "./BexprParser.ts"

/** The filterable shape of a Go type, as go-bexpr derives it by reflection. */
export type FieldType =
  | { readonly kind: "string" | "int" | "bool" }
  | { readonly kind: "struct"; readonly fields: Readonly<Record<string, FieldType>> }
  /** `map[string]T`; `value` is absent when T is not filterable (`interface{}`). */
  | { readonly kind: "map"; readonly value?: FieldType }
  | { readonly kind: "list"; readonly element: FieldType }

/** A filter Consul cannot build: the agent answers 500 with this message. */
export class FilterError extends Error {}

export type Filter = (datum: unknown) => boolean

const isPrimitive = (t: FieldType) => t.kind === "string" || t.kind === "int" || t.kind === "bool"

const supported = (t: FieldType): ReadonlyArray<MatchOperator> => {
  switch (t.kind) {
    case "string":
      return ["Equal", "Not Equal", "In", "Not In", "Matches", "Not Matches"]
    case "int":
    case "bool":
      return ["Equal", "Not Equal"]
    case "struct":
      return []
    case "map":
      return ["Is Empty", "Is Not Empty", "In", "Not In"]
    case "list":
      return isPrimitive(t.element) ? ["In", "Not In", "Is Empty", "Is Not Empty"] : ["Is Empty", "Is Not Empty"]
  }
}

const subfield = (t: FieldType, name: string): FieldType | undefined => {
  switch (t.kind) {
    case "struct":
      return Object.hasOwn(t.fields, name) ? t.fields[name] : undefined
    case "map":
      return t.value
    case "list":
      return isPrimitive(t.element) ? undefined : subfield(t.element, name)
    default:
      return undefined
  }
}

const goQuote = (text: string) => JSON.stringify(text)

/** go-bexpr's coercion of the raw value to the field's type. */
const coerce = (t: FieldType, raw: string): string | number | boolean => {
  const target = t.kind === "list" ? t.element : t
  if (target.kind === "int") {
    const parts = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|0|[1-9][0-9]*)$/.exec(raw)
    if (parts === null) throw new Error(`strconv.ParseInt: parsing ${goQuote(raw)}: invalid syntax`)
    const digits = parts[2]!
    const magnitude = /^0[0-7]/.test(digits) ? Number(`0o${digits.slice(1)}`) : Number(digits)
    return parts[1] === "-" ? -magnitude : magnitude
  }
  if (target.kind === "bool") {
    const value = parseGoBool(raw)
    if (value === undefined) throw new Error(`strconv.ParseBool: parsing ${goQuote(raw)}: invalid syntax`)
    return value
  }
  return raw
}

interface Checked {
  readonly expression: Extract<Expression, { kind: "match" }>
  readonly value: string | number | boolean | RegExp | undefined
}

/** Checks one match expression against the root type, the way go-bexpr's `validate` does. */
const check = (expression: Extract<Expression, { kind: "match" }>, root: FieldType): Checked => {
  const name = goQuote(expression.selector.join("."))
  let type: FieldType | undefined = root
  for (const [i, segment] of expression.selector.entries()) {
    type = subfield(type, segment)
    if (type === undefined) {
      throw new FilterError(`Selector ${goQuote(expression.selector.slice(0, i + 1).join("."))} is not valid`)
    }
  }
  if (!supported(type).includes(expression.operator)) {
    throw new FilterError(`Invalid match operator ${goQuote(expression.operator)} for selector ${name}`)
  }
  if (expression.value === undefined) return { expression, value: undefined }
  let value: string | number | boolean
  try {
    value = coerce(type, expression.value)
  } catch (error) {
    throw new FilterError(
      `Failed to coerce value ${goQuote(expression.value)} for selector ${name}: ${(error as Error).message}`
    )
  }
  if (expression.operator === "Matches" || expression.operator === "Not Matches") {
    try {
      return { expression, value: new RegExp(String(value)) }
    } catch (error) {
      throw new FilterError(
        `Failed to compile regular expression ${goQuote(String(value))}: ${(error as Error).message}`
      )
    }
  }
  return { expression, value }
}

const zero = (
  t: FieldType
): unknown => (t.kind === "string" ? "" : t.kind === "int" ? 0 : t.kind === "bool" ? false : null)

const sizeOf = (value: unknown): number =>
  Array.isArray(value) ? value.length : value !== null && typeof value === "object" ? Object.keys(value).length : 0

const leaf = ({ expression, value: wanted }: Checked, value: unknown, type: FieldType): boolean => {
  const actual = value === undefined ? zero(type) : value
  switch (expression.operator) {
    case "Equal":
    case "Not Equal":
      return (actual === wanted) === (expression.operator === "Equal")
    case "In":
    case "Not In": {
      const found = type.kind === "map"
        ? actual !== null && typeof actual === "object" && Object.hasOwn(actual, String(wanted))
        : type.kind === "list"
        ? Array.isArray(actual) && actual.some((item) => item === wanted)
        : String(actual).includes(String(wanted))
      return found === (expression.operator === "In")
    }
    case "Is Empty":
    case "Is Not Empty":
      return (sizeOf(actual) === 0) === (expression.operator === "Is Empty")
    case "Matches":
    case "Not Matches":
      return (wanted as RegExp).test(String(actual)) === (expression.operator === "Matches")
  }
}

const missingKey = (operator: MatchOperator) => !["Equal", "Is Not Empty", "In", "Matches"].includes(operator)

const matches = (checked: Checked, depth: number, value: unknown, type: FieldType): boolean => {
  const path = checked.expression.selector
  if (depth >= path.length) return leaf(checked, value, type)
  const segment = path[depth]!
  switch (type.kind) {
    case "struct": {
      const field = value !== null && typeof value === "object"
        ? (value as Record<string, unknown>)[segment]
        : undefined
      return matches(checked, depth + 1, field, type.fields[segment]!)
    }
    case "list":
      return Array.isArray(value) && value.some((item) => matches(checked, depth, item, type.element))
    case "map": {
      if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) {
        return missingKey(checked.expression.operator)
      }
      return matches(checked, depth + 1, (value as Record<string, unknown>)[segment], type.value!)
    }
    default:
      return false
  }
}

const compile = (expression: Expression, root: FieldType): Filter => {
  switch (expression.kind) {
    case "and": {
      const [left, right] = [compile(expression.left, root), compile(expression.right, root)]
      return (datum) => left(datum) && right(datum)
    }
    case "or": {
      const [left, right] = [compile(expression.left, root), compile(expression.right, root)]
      return (datum) => left(datum) || right(datum)
    }
    case "not": {
      const operand = compile(expression.operand, root)
      return (datum) => !operand(datum)
    }
    case "match": {
      const checked = check(expression, root)
      return (datum) => matches(checked, 0, datum, root)
    }
  }
}

/**
 * Builds the filter for rows of `root`, or undefined for an empty expression.
 * Throws `FilterError` with the agent's message when it cannot be built.
 */
export const createFilter = (text: string, root: FieldType): Filter | undefined => {
  if (text === "") return undefined
  try {
    return compile(parseBexpr(text), root)
  } catch (error) {
    throw new FilterError(`Failed to create boolean expression evaluator: ${(error as Error).message}`)
  }
}
