/**
 * Schema's issue tree → `[{path, message}]`, every problem at once: `path` as a person reads it
 * (`officeHours.weekly.monday[0].open`), `message` saying what would be valid.
 */
import { type SchemaAST, SchemaIssue } from "effect"

/**
 * Codes of problems a person fixes outside the document (the follow-up's template is not synced, or not
 * approved by Meta): stable, so the console can say them in the admin's language.
 */
export const SETTINGS_PROBLEM_CODES = ["template_not_synced", "template_not_approved"] as const

export interface SettingsProblem {
  readonly path: string
  readonly message: string
  readonly code?: (typeof SETTINGS_PROBLEM_CODES)[number] | undefined
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out === "" ? String(key) : `.${String(key)}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

function typeOf(value: unknown): string {
  if (value === null) return "null"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "an object"
  return `${typeof value} ${show(value)}`
}

/** What an AST node accepts, in words. */
function expected(ast: SchemaAST.AST): string {
  switch (ast._tag) {
    case "String": return "a text"
    case "Number": return "a number"
    case "Boolean": return "true or false"
    case "Null": return "null"
    case "Literal": return show(ast.literal)
    case "Arrays": return "a list"
    case "Objects": return "an object"
    case "Union": return ast.types.map(expected).join(" or ")
    default: return ast._tag
  }
}

function knownKeys(ast: SchemaAST.AST): Array<string> {
  return ast._tag === "Objects" ? ast.propertySignatures.map((p) => String(p.name)) : []
}

function messageOf(issue: SchemaIssue.Issue): string | undefined {
  const annotations = (issue as { annotations?: { message?: unknown } }).annotations
  return typeof annotations?.message === "string" ? annotations.message : undefined
}

export function problemsOf(issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey> = []): Array<SettingsProblem> {
  switch (issue._tag) {
    case "Pointer":
      return problemsOf(issue.issue, [...path, ...issue.path])
    case "Composite":
      return issue.issues.flatMap((inner) => problemsOf(inner, path))
    case "AnyOf":
      if (issue.issues.length > 0) return issue.issues.flatMap((inner) => problemsOf(inner, path))
      return [{ path: formatPath(path), message: `expected ${expected(issue.ast)}${SchemaIssue.hasInput(issue) ? `, got ${typeOf(issue.input)}` : ""}` }]
    case "Encoding":
      return problemsOf(issue.issue, path)
    case "Filter": {
      const own = messageOf(issue.issue) ?? (typeof issue.filter.annotations?.message === "string" ? issue.filter.annotations.message : undefined)
      if (own !== undefined && issue.issue._tag === "InvalidValue") return [{ path: formatPath(path), message: own }]
      return problemsOf(issue.issue, path)
    }
    case "InvalidType": {
      const input = SchemaIssue.hasInput(issue) ? `, got ${typeOf(issue.input)}` : ""
      return [{ path: formatPath(path), message: `expected ${expected(issue.ast)}${input}` }]
    }
    case "InvalidValue":
      return [{ path: formatPath(path), message: messageOf(issue) ?? "not a valid value here" }]
    case "MissingKey":
      return [{ path: formatPath(path), message: "missing: this key is required here" }]
    case "UnexpectedKey": {
      const keys = knownKeys(issue.ast)
      return [{ path: formatPath(path), message: keys.length > 0 ? `unknown key; expected one of ${keys.join(", ")}` : "unknown key" }]
    }
    case "Forbidden":
    case "OneOf":
      return [{ path: formatPath(path), message: messageOf(issue) ?? "not a valid value here" }]
  }
}
