/**
 * Dutch passport and identity-card numbers where the text names the document: nine characters,
 * two letters, six letters or digits, a digit (no letter O since 2014), as RvIG documents them.
 */
import type { PersonalDataFinding } from "./PersonalData.ts"

const CONTEXT = String.raw`(?:paspoort|passport|id[- ]?kaart|identiteitskaart|identiteitsbewijs|identity\s+card|id[- ]?card|id[- ]?bewijs|documentnummer|document\s+number|reisdocument)`
const DOCUMENT = new RegExp(
  `${CONTEXT}[\\p{L}\\s:\\-]{0,24}?(?<![\\p{L}\\p{N}])([A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9])(?![\\p{L}\\p{N}])`,
  "giu"
)
const PRETEST = /paspoort|passport|id[- ]?(kaart|card|bewijs)|identit|document/i

export function* findIdDocuments(text: string): Iterable<PersonalDataFinding> {
  if (!PRETEST.test(text)) return
  for (const m of text.matchAll(DOCUMENT)) {
    const number = m[1]!
    const start = m.index + m[0].length - number.length
    yield { kind: "id-document", start, end: start + number.length }
  }
}
