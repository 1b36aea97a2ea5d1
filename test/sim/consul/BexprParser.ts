/**
 * The go-bexpr grammar Consul's `?filter=` uses (the PEG of go-bexpr 0.1.x),
 * parsed by recursive descent with the same ordered choices, so what the real
 * agent rejects is rejected here too: `not`, `and`, `or`, `in`, `contains`,
 * `is` need whitespace around them; string literals end at the first quote;
 * bare values are selectors or numbers.
 */
import { goUnquote } from "../GoParsers.ts"

export type MatchOperator =
  | "Equal"
  | "Not Equal"
  | "In"
  | "Not In"
  | "Is Empty"
  | "Is Not Empty"
  | "Matches"
  | "Not Matches"

export type Expression =
  | { readonly kind: "or" | "and"; readonly left: Expression; readonly right: Expression }
  | { readonly kind: "not"; readonly operand: Expression }
  | {
    readonly kind: "match"
    readonly selector: ReadonlyArray<string>
    readonly operator: MatchOperator
    /** The raw value; absent for the emptiness checks. */
    readonly value: string | undefined
  }

/** A filter the grammar rejects, with pigeon's `line:col (offset): ...` prefix. */
export class BexprSyntaxError extends Error {}

class Fail extends Error {}

const identifierStart = /[a-zA-Z]/
const identifierPart = /[a-zA-Z0-9_]/
const whitespace = /[ \t\r\n]/

class Parser {
  private pos = 0
  private farthest = 0
  private expected = new Set<string>()
  private readonly text: string

  constructor(text: string) {
    this.text = text
  }

  parse(): Expression {
    this.optionalWs()
    const expression = this.attempt(() => this.or())
    this.optionalWs()
    if (expression === undefined || this.pos < this.text.length) {
      this.expect("EOF")
      throw this.noMatch()
    }
    return expression
  }

  private or(): Expression {
    const left = this.and()
    const right = this.attempt(() => {
      this.ws()
      this.literal("or")
      this.ws()
      return this.or()
    })
    return right === undefined ? left : { kind: "or", left, right }
  }

  private and(): Expression {
    const left = this.not()
    const right = this.attempt(() => {
      this.ws()
      this.literal("and")
      this.ws()
      return this.and()
    })
    return right === undefined ? left : { kind: "and", left, right }
  }

  private not(): Expression {
    const negated = this.attempt(() => {
      this.literal("not")
      this.ws()
      return this.not()
    })
    if (negated !== undefined) return negated.kind === "not" ? negated.operand : { kind: "not", operand: negated }
    return this.grouping()
  }

  private grouping(): Expression {
    const grouped = this.attempt(() => {
      this.literal("(")
      this.optionalWs()
      const inner = this.or()
      this.optionalWs()
      this.literal(")")
      return inner
    })
    if (grouped !== undefined) return grouped
    const match = this.attempt(() => this.match())
    if (match !== undefined) return match
    const start = this.pos
    if (this.attempt(() => (this.literal("("), this.optionalWs(), this.or(), this.optionalWs(), true)) !== undefined) {
      this.pos = start
      throw this.ruleError("grouping", "Unmatched parentheses")
    }
    throw new Fail()
  }

  private match(): Expression {
    const selectorFirst = this.attempt(() => {
      const selector = this.selector()
      const withValue = this.attempt(() => {
        const operator = this.firstOf<MatchOperator>([
          ["Equal", () => (this.optionalWs(), this.literal("=="), this.optionalWs())],
          ["Not Equal", () => (this.optionalWs(), this.literal("!="), this.optionalWs())],
          ["In", () => this.words("contains")],
          ["Not In", () => this.words("not", "contains")],
          ["Matches", () => this.words("matches")],
          ["Not Matches", () => this.words("not", "matches")]
        ])
        return { kind: "match" as const, selector, operator, value: this.value() }
      })
      if (withValue !== undefined) return withValue
      const operator = this.firstOf<MatchOperator>([
        ["Is Empty", () => (this.ws(), this.literal("is"), this.ws(), this.literal("empty"))],
        [
          "Is Not Empty",
          () => (this.ws(), this.literal("is"), this.ws(), this.literal("not"), this.ws(), this.literal("empty"))
        ]
      ])
      return { kind: "match" as const, selector, operator, value: undefined }
    })
    if (selectorFirst !== undefined) return selectorFirst
    const value = this.value()
    const operator = this.firstOf<MatchOperator>([
      ["In", () => this.words("in")],
      ["Not In", () => this.words("not", "in")]
    ])
    const selector = this.attempt(() => this.selector())
    if (selector === undefined) throw this.ruleError("match", "Invalid selector")
    return { kind: "match", selector, operator, value }
  }

  /** `_ word _` for each word, as the grammar's keyword operators are written. */
  private words(...words: ReadonlyArray<string>): void {
    for (const word of words) {
      this.ws()
      this.literal(word)
    }
    this.ws()
  }

  private selector(): ReadonlyArray<string> {
    const path = [this.identifier()]
    for (;;) {
      const next = this.attempt(() => {
        if (this.text[this.pos] === "[") return this.index()
        this.expect("\"[\"")
        this.literal(".")
        return this.identifier()
      })
      if (next === undefined) return path
      path.push(next)
    }
  }

  private index(): string {
    this.literal("[")
    this.optionalWs()
    const key = this.attempt(() => this.stringLiteral())
    if (key === undefined) throw this.ruleError("index", "Invalid index")
    this.optionalWs()
    if (this.text[this.pos] !== "]") throw this.ruleError("index", "Unclosed index expression")
    this.pos += 1
    return key
  }

  private identifier(): string {
    const start = this.pos
    if (!identifierStart.test(this.text[this.pos] ?? "")) {
      this.expect("[a-zA-Z]")
      throw new Fail()
    }
    this.pos += 1
    while (identifierPart.test(this.text[this.pos] ?? "")) this.pos += 1
    this.expect("[a-zA-Z0-9_]")
    return this.text.slice(start, this.pos)
  }

  private value(): string {
    const selector = this.attempt(() => this.selector())
    if (selector !== undefined) return selector.join(".")
    const number = this.attempt(() => this.number())
    if (number !== undefined) return number
    return this.stringLiteral()
  }

  private number(): string {
    const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/.exec(this.text.slice(this.pos))
    if (match === null) {
      this.expect("number")
      throw new Fail()
    }
    const after = this.text[this.pos + match[0].length]
    if (after !== undefined && after !== ")" && !whitespace.test(after)) {
      throw this.ruleError("number", "Invalid number literal")
    }
    this.pos += match[0].length
    return match[0]
  }

  private stringLiteral(): string {
    const quote = this.text[this.pos]
    if (quote !== "\"" && quote !== "`") {
      this.expect("string")
      throw new Fail()
    }
    const end = this.text.indexOf(quote, this.pos + 1)
    if (end === -1) throw this.ruleError("string", "Unterminated string literal")
    const body = this.text.slice(this.pos + 1, end)
    const value = quote === "`" ? body.replaceAll("\r", "") : goUnquote(body)
    if (value === undefined) throw this.ruleError("string", "invalid syntax")
    this.pos = end + 1
    return value
  }

  private firstOf<A>(choices: ReadonlyArray<readonly [A, () => unknown]>): A {
    for (const [result, parse] of choices) {
      if (this.attempt(() => (parse(), true)) !== undefined) return result
    }
    throw new Fail()
  }

  private literal(word: string): void {
    if (!this.text.startsWith(word, this.pos)) {
      this.expect(JSON.stringify(word))
      throw new Fail()
    }
    this.pos += word.length
  }

  private ws(): void {
    if (!whitespace.test(this.text[this.pos] ?? "")) {
      this.expect("[ \\t\\r\\n]")
      throw new Fail()
    }
    this.optionalWs()
  }

  private optionalWs(): void {
    while (whitespace.test(this.text[this.pos] ?? "")) this.pos += 1
  }

  /** Runs a choice; on failure puts the position back and answers undefined. */
  private attempt<A>(parse: () => A): A | undefined {
    const start = this.pos
    try {
      return parse()
    } catch (error) {
      if (!(error instanceof Fail)) throw error
      this.pos = start
      return undefined
    }
  }

  private expect(what: string): void {
    if (this.pos > this.farthest) {
      this.farthest = this.pos
      this.expected = new Set()
    }
    if (this.pos === this.farthest) this.expected.add(what)
  }

  private where(pos: number): string {
    const before = this.text.slice(0, pos)
    const line = before.split("\n").length
    const column = pos - (before.lastIndexOf("\n") + 1) + 1
    return `${line}:${column} (${pos})`
  }

  private noMatch(): BexprSyntaxError {
    const items = [...this.expected].sort()
    const list = items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`
    return new BexprSyntaxError(`${this.where(this.farthest)}: no match found, expected: ${list}`)
  }

  private ruleError(rule: string, message: string): BexprSyntaxError {
    return new BexprSyntaxError(`${this.where(this.pos)}: rule "${rule}": ${message}`)
  }
}

export const parseBexpr = (text: string): Expression => new Parser(text).parse()
