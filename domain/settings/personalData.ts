/** `personalData`: detecting personal data (BSN, IBAN, …) in residents' messages, warning them, masking it for agents. */
import { Schema } from "effect"
import { TextWith } from "./checks.ts"
import { defaultTexts } from "./defaults.ts"
import type { Language } from "./language.ts"

function regExpProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, "u")
    return undefined
  } catch (error) {
    return `expected a regular expression: ${error instanceof Error ? error.message : String(error)}`
  }
}

export const ExtraPattern = Schema.Struct({
  name: Schema.String.check(Schema.makeFilter((s: string) => /^[a-z][a-z0-9-]{0,39}$/.test(s) ? undefined : `expected a short name in lower case (a-z, 0-9, -), got ${JSON.stringify(s)}`)),
  pattern: Schema.String.check(Schema.makeFilter((s: string) => s.length > 500 ? "expected at most 500 characters" : regExpProblem(s)))
})

export const PersonalData = Schema.Struct({
  detect: Schema.Boolean,
  warnResident: Schema.Boolean,
  text: TextWith([]),
  maskForAgents: Schema.Boolean,
  extraPatterns: Schema.optionalKey(Schema.Array(ExtraPattern).annotate({ description: "More patterns to detect: [{name, pattern}] (a regular expression); flagged as pii:<name>." }))
})
export type PersonalData = typeof PersonalData.Type

export const defaultPersonalData = (language: Language): PersonalData => ({
  detect: true,
  warnResident: true,
  text: defaultTexts.personalDataWarning[language],
  maskForAgents: false
})
