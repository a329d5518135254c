/** Precision and recall per flag over the labelled set (test/fixtures/resident-safety-messages.ts). */
import { inspectText, type SafetyOptions } from "../../domain/safety/inspect.ts"
import { LABELLED_LINK_POLICY, LABELLED_MESSAGES, type LabelledMessage } from "../fixtures/resident-safety-messages.ts"

export const SAFETY_CATEGORIES = ["pii:bsn", "pii:iban", "pii:phone", "pii:email", "pii:birthdate", "pii:id-document", "pii:card", "link:allowed", "link:unknown", "link:blocked"] as const

export const LABELLED_OPTIONS: SafetyOptions = { detectPersonalData: true, linkMode: "flag", links: LABELLED_LINK_POLICY }

export interface CategoryScore {
  readonly category: string
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  readonly precision: number
  readonly recall: number
  readonly misses: ReadonlyArray<string>
}

export function scoreLabelledSet(messages: ReadonlyArray<LabelledMessage> = LABELLED_MESSAGES): ReadonlyArray<CategoryScore> {
  const results = messages.map((m) => ({ m, got: new Set(inspectText(m.text, LABELLED_OPTIONS).flags) }))
  return SAFETY_CATEGORIES.map((category) => {
    let tp = 0
    let fp = 0
    let fn = 0
    const misses: Array<string> = []
    for (const { m, got } of results) {
      const want = m.flags.includes(category)
      const has = got.has(category)
      if (want && has) tp++
      else if (has) (fp++, misses.push(`false positive: ${m.text}`))
      else if (want) (fn++, misses.push(`missed: ${m.text}`))
    }
    return { category, truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), misses }
  })
}
