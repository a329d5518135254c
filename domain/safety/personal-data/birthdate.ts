/**
 * Dates of birth, only where the text says it is one: "geboren op 3 maart 1985", "geb. 03-03-1985",
 * "geboortedatum: 1985-03-03", "born on 3 March 1985", "date of birth 03/03/1985". Any other date
 * (an appointment, a deadline) is not personal data and is left alone.
 */
import type { PersonalDataFinding } from "./PersonalData.ts"

const MONTHS: Record<string, number> = {
  januari: 1, jan: 1, january: 1, februari: 2, feb: 2, february: 2, maart: 3, mrt: 3, march: 3, mar: 3,
  april: 4, apr: 4, mei: 5, may: 5, juni: 6, jun: 6, june: 6, juli: 7, jul: 7, july: 7, augustus: 8,
  aug: 8, august: 8, september: 9, sep: 9, sept: 9, oktober: 10, okt: 10, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12
}
const MONTH = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join("|")

const CONTEXT = String.raw`(?:geboren|geb\.|geb\b|geboortedatum|geboorte\s*datum|born|date\s+of\s+birth|birth\s*date|birthday|dob\b|d\.o\.b\.?)`
/** Up to a few short words between the context and the date: "geboren op", "mijn geboortedatum is", "born on the". */
const GAP = String.raw`(?:[\s:,]*(?:op|is|:|de|den|on|the|was|in|at|van|of|me|mijn|my)?){0,3}[\s:,]*`
const NUMERIC = String.raw`(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4}|\d{2})`
const ISO = String.raw`(\d{4})-(\d{2})-(\d{2})`
const WORDS_DMY = String.raw`(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+(${MONTH})\.?,?\s+(\d{4})`
const WORDS_MDY = String.raw`(${MONTH})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})`

const BIRTH_DATE = new RegExp(`${CONTEXT}${GAP}(?:${ISO}|${NUMERIC}|${WORDS_DMY}|${WORDS_MDY})(?![\\p{N}])`, "giu")
const PRETEST = /geb|born|birth|dob|d\.o\.b/i

export function* findBirthDates(text: string): Iterable<PersonalDataFinding> {
  if (!PRETEST.test(text)) return
  for (const m of text.matchAll(BIRTH_DATE)) {
    const g = m.slice(1)
    const [y1, m1, d1, d2, m2, y2, d3, mw3, y3, mw4, d4, y4] = g
    const date =
      y1 !== undefined ? { d: Number(d1), m: Number(m1), y: Number(y1) }
      : d2 !== undefined ? { d: Number(d2), m: Number(m2), y: fullYear(Number(y2), y2!.length) }
      : d3 !== undefined ? { d: Number(d3), m: MONTHS[mw3!.toLowerCase()] ?? 0, y: Number(y3) }
      : { d: Number(d4), m: MONTHS[mw4!.toLowerCase()] ?? 0, y: Number(y4) }
    if (!isPlausibleBirthDate(date.d, date.m, date.y)) continue
    yield { kind: "birthdate", start: dateStart(m[0], m.index), end: m.index + m[0].length }
  }
}

/** The date starts at the first digit or month name after the context word. */
const CONTEXT_AT_START = new RegExp(`^${CONTEXT}${GAP}`, "iu")
function dateStart(match: string, index: number): number {
  return index + (CONTEXT_AT_START.exec(match)?.[0].length ?? 0)
}

function fullYear(y: number, digits: number): number {
  return digits === 4 ? y : y > 30 ? 1900 + y : 2000 + y
}

function isPlausibleBirthDate(d: number, m: number, y: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2100) return false
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= days
}
