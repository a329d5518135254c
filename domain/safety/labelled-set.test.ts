import { describe, expect, it } from "vitest"
import { LABELLED_MESSAGES } from "../../test/fixtures/resident-safety-messages.ts"
import { scoreLabelledSet } from "../../test/bench/safety-score.ts"

describe("the labelled set of resident messages", () => {
  it("has a few hundred messages, with true and false candidates for every category", () => {
    expect(LABELLED_MESSAGES.length).toBeGreaterThanOrEqual(300)
    for (const s of scoreLabelledSet()) expect(s.truePositives, s.category).toBeGreaterThanOrEqual(10)
  })

  it.each(scoreLabelledSet().map((s) => [s.category, s] as const))("%s: precision and recall ≥ 0.97 (1.0 for BSN and IBAN)", (category, s) => {
    const floor = category === "pii:bsn" || category === "pii:iban" ? 1 : 0.97
    expect(s.misses).toEqual(floor === 1 ? [] : s.misses)
    expect(s.precision).toBeGreaterThanOrEqual(floor)
    expect(s.recall).toBeGreaterThanOrEqual(floor)
  })
})
