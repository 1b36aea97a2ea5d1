/** Schema problems as text a person can act on: one line per problem, `path: message`, bounded (`problemList`). */
import { SchemaIssue } from "effect"
import { problemList } from "./problemText.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

export const formatIssues = (issue: SchemaIssue.Issue, root?: string): string =>
  problemList(
    formatter(issue).issues.map(({ message, path }) => {
      const at = [
        ...(root === undefined ? [] : [root]),
        ...(path ?? []).map((p) => String(typeof p === "object" ? p.key : p))
      ]
      return at.length === 0 ? message : `${at.join(".")}: ${message}`
    })
  )
