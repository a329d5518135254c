/**
 * Personal data in what residents write: which kinds a text holds and where, as pure functions.
 * Each kind is checked the way it can be: IBANs by mod-97 (ibantools), payment cards by brand and
 * Luhn (card-validator), phone numbers by libphonenumber's Dutch and international metadata, e-mail
 * addresses by linkify-it, BSNs by the 11-proef, birth dates and identity documents only where the
 * text says so ("geboren op …", "paspoortnummer …"). A span belongs to one finding: digits that are
 * part of an IBAN or a phone number are not also a BSN or a card.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max"
import { emailFinder } from "../linkify.ts"
import { isValidCardNumber, isValidIban, passesElevenTest } from "./checks.ts"
import { findBirthDates } from "./birthdate.ts"
import { findIdDocuments } from "./id-document.ts"

export const PERSONAL_DATA_KINDS = ["bsn", "iban", "phone", "email", "birthdate", "id-document", "card", "other"] as const
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number]

/** Where a piece of personal data sits in a text: indexes only, so a finding itself never carries the value. */
export interface PersonalDataFinding {
  readonly kind: PersonalDataKind
  readonly start: number
  readonly end: number
  /** For `other`: the name of the configured pattern that matched (its flag is `pii:<name>`). */
  readonly pattern?: string
}

/** A municipality's own pattern (e.g. its client number format, `personalData.extraPatterns`), flagged as `pii:<name>`. */
export interface ExtraPattern {
  readonly name: string
  /** A JavaScript regular expression source, matched case-insensitively. */
  readonly pattern: string
}

export interface DetectOptions {
  readonly extraPatterns?: ReadonlyArray<ExtraPattern>
}

/** The contract flag of a finding: `pii:bsn`, `pii:iban`, … */
export const personalDataFlag = (kind: PersonalDataKind): string => `pii:${kind}`

/** Every piece of personal data in `text`, in text order, spans not overlapping. */
export function findPersonalData(text: string, options: DetectOptions = {}): ReadonlyArray<PersonalDataFinding> {
  const found: Array<PersonalDataFinding> = []
  const isFree = (start: number, end: number): boolean => !found.some((g) => start < g.end && g.start < end)
  const claim = (f: PersonalDataFinding): boolean => {
    if (!isFree(f.start, f.end)) return false
    found.push(f)
    return true
  }
  if (/[a-z]{2}\s?\d{2}/i.test(text)) for (const f of findIbans(text)) claim(f)
  if (text.includes("@")) for (const f of findEmails(text)) claim(f)
  const digits = countDigits(text)
  if (digits >= 8) {
    if (digits >= 9) for (const f of findPhones(text, isFree)) claim(f)
    for (const run of digitRuns(text)) findInRun(text, run, claim)
  }
  for (const f of findBirthDates(text)) claim(f)
  for (const f of findIdDocuments(text)) claim(f)
  for (const p of options.extraPatterns ?? []) for (const f of findExtra(text, p)) claim(f)
  return found.sort((a, b) => a.start - b.start)
}

/** The contract flags for `text` (`pii:*`, each once), in the vocabulary's order, then `pii:<name>` of configured patterns. */
export function personalDataFlags(findings: ReadonlyArray<PersonalDataFinding>): ReadonlyArray<string> {
  const kinds = new Set(findings.map((f) => f.kind))
  const builtIn = PERSONAL_DATA_KINDS.filter((k) => k !== "other" && kinds.has(k)).map(personalDataFlag)
  const extra = [...new Set(findings.flatMap((f) => (f.kind === "other" && f.pattern !== undefined ? [`pii:${f.pattern}`] : [])))]
  return [...builtIn, ...extra]
}

function countDigits(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}

// --- IBAN --------------------------------------------------------------------------------

/** Where an IBAN may start (a country code and two check digits), and what may follow (letters and digits, single spaces). */
const IBAN_START = /(?<![\p{L}\p{N}])[a-z]{2}\s?\d{2}/giu
const IBAN_BODY = /[a-z]{2}\s?\d{2}(?:[ ]?[a-z0-9]){10,30}(?![\p{L}\p{N}])|[a-z]{2}\s?\d{2}(?:[ ]?[a-z0-9]){10,30}/iuy

function* findIbans(text: string): Iterable<PersonalDataFinding> {
  IBAN_START.lastIndex = 0
  let start: RegExpExecArray | null
  while ((start = IBAN_START.exec(text)) !== null) {
    IBAN_BODY.lastIndex = start.index
    const body = IBAN_BODY.exec(text)
    // The longest prefix ending at a word boundary that passes mod-97 ("NL91ABNA0417164300 graag", "… 1643 00").
    let found = 0
    if (body !== null) {
      const raw = body[0]
      for (let end = raw.length; end >= 14; end--) {
        if (raw[end - 1] === " " || /[\p{L}\p{N}]/u.test(text[start.index + end] ?? "")) continue
        if (isValidIban(raw.slice(0, end))) {
          found = end
          break
        }
      }
    }
    if (found > 0) {
      yield { kind: "iban", start: start.index, end: start.index + found }
      IBAN_START.lastIndex = start.index + found
    } else {
      IBAN_START.lastIndex = start.index + 1
    }
  }
}

// --- e-mail ------------------------------------------------------------------------------

function* findEmails(text: string): Iterable<PersonalDataFinding> {
  for (const m of emailFinder.match(text) ?? []) if (m.schema === "mailto:" || m.schema === "") yield { kind: "email", start: m.index, end: m.lastIndex }
}

// --- phone -------------------------------------------------------------------------------

/**
 * Phone-shaped runs: a national number starts with 0 (ten digits in the Netherlands), an
 * international one with + or 00. libphonenumber (full metadata) decides whether the digits are a
 * real number; a run that joins two numbers is tried group by group.
 */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}+])(?:\+|00|\(0|0)[\d\s().\-]{7,22}\d(?![\p{L}\p{N}])/gu

function* findPhones(text: string, isFree: (start: number, end: number) => boolean): Iterable<PersonalDataFinding> {
  for (const m of text.matchAll(PHONE_CANDIDATE)) {
    const raw = m[0]
    let from = 0
    while (from < raw.length) {
      const end = isFree(m.index + from, m.index + from + 1) ? validPhoneEnd(raw, from) : 0
      if (end > 0) {
        yield { kind: "phone", start: m.index + from, end: m.index + end }
        from = end
      }
      // On to the next group that starts like a phone number.
      const next = raw.slice(from).search(/(?<=[\s().\-])(?:\+|00|\(0|0)/)
      if (next <= 0) break
      from += next
    }
  }
}

/**
 * The end of the longest valid phone number starting at `from` (at a digit boundary), else 0.
 * A national number (0…) has ten digits in the Netherlands, so only that end is tried; an
 * international one (+…, 00…) 9 to 15, longest first. Each try is a libphonenumber parse.
 */
function validPhoneEnd(raw: string, from: number): number {
  const national = raw[from] === "0" && raw[from + 1] !== "0" || raw.startsWith("(0", from)
  const ends: Array<number> = []
  let digits = 0
  for (let i = from; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c < 48 || c > 57) continue
    digits++
    const next = raw.charCodeAt(i + 1)
    const boundary = !(next >= 48 && next <= 57)
    if (boundary && (national ? digits === 10 : digits >= 9 && digits <= 15)) ends.push(i + 1)
    if (digits > 15 || (national && digits >= 10)) break
  }
  for (let k = ends.length - 1; k >= 0; k--) {
    const number = parsePhoneNumberFromString(raw.slice(from, ends[k]), "NL")
    if (number !== undefined && number.isValid()) return ends[k]!
  }
  return 0
}

// --- digit runs: payment cards and BSNs ---------------------------------------------------

interface DigitRun {
  readonly start: number
  /** Each group of digits between single separators (space, dot, dash): [start, end). */
  readonly groups: ReadonlyArray<readonly [number, number]>
}

const RUN = /(?<![\p{L}\p{N}.,\-/])\d+(?:[ .\-]\d+)*(?![\p{L}\p{N}]|[.,]\d)/gu

function* digitRuns(text: string): Iterable<DigitRun> {
  for (const m of text.matchAll(RUN)) {
    const groups: Array<readonly [number, number]> = []
    for (const g of m[0].matchAll(/\d+/g)) groups.push([m.index + g.index, m.index + g.index + g[0].length])
    yield { start: m.index, groups }
  }
}

/**
 * Cards first (13–19 digits), then BSNs (8 or 9): the whole run ("4111 1111 1111 1111",
 * "1234.56.782"), or one group of it standing alone ("huisnummer 12 123456782"). Part of a
 * grouped number ("… 1111 1112") is never taken for a number of its own.
 */
function findInRun(text: string, run: DigitRun, claim: (f: PersonalDataFinding) => boolean): void {
  const g = run.groups
  const whole = { start: g[0]![0], end: g[g.length - 1]![1], digits: g.map(([s, e]) => text.slice(s, e)).join("") }
  const spans = g.length === 1 ? [whole] : [whole, ...g.map(([s, e]) => ({ start: s, end: e, digits: text.slice(s, e) }))]
  for (const s of spans) {
    if (s.digits.length >= 13 && s.digits.length <= 19 && passesLuhn(s.digits) && isValidCardNumber(s.digits)) claim({ kind: "card", start: s.start, end: s.end })
  }
  for (const s of spans) {
    if ((s.digits.length === 9 || s.digits.length === 8) && passesElevenTest(s.digits) && isBsnInContext(text, s.start, s.end, s.digits)) {
      claim({ kind: "bsn", start: s.start, end: s.end })
    }
  }
}

/** Luhn first: it is cheap, and most long digit runs fail it before card-validator is asked. */
function passesLuhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

const BSN_WORDS = /(bsn|burger\s*service\s*nummer|burgerservicenummer|sofi)/i
/**
 * A number named as something else (a case, a client, an invoice, …) is not a BSN, even when it
 * passes the 11-proef. Strong words name a number on their own ("zaak 123…", "kenmerk van de brief
 * is 123…"); weak ones only with "nummer" ("aanvraagnummer 123…", not "voor de aanvraag: 123…").
 */
const STRONG = "zaak|klant|factuur|dossier|kenmerk|referentie|ref|order|ticket|kvk|btw|polis|contract|invoice|case|reference|debiteur"
const WEAK = "aanvraag|registratie|lid|lidmaatschap|pas|meter|artikel|boeking|zending|relatie|abonnee|huurder|aanslag|beschikking|vergunning|bestel|track|customer|account|member"
const NUMBER_WORD = "nummer|nr|number|no|code"
const OTHER_NUMBER_WORDS = new RegExp(
  `(?<!\\p{L})(?:(?:${STRONG})(?:[\\s-]*(?:${NUMBER_WORD}))?|(?:${WEAK})[\\s-]*(?:${NUMBER_WORD}))\\.?(?:\\s+\\p{L}{1,6}){0,4}?\\s*(?:is|was|:)?\\s*#?\\s*$`,
  "iu"
)
const AMOUNT_BEFORE = /(€|eur|euro)\s*$/i
const AMOUNT_AFTER = /^\s*(,\d|euro|eur\b|€|%)/i

function isBsnInContext(text: string, start: number, end: number, digits: string): boolean {
  const before = text.slice(Math.max(0, start - 40), start)
  if (BSN_WORDS.test(before)) return true
  if (OTHER_NUMBER_WORDS.test(before)) return false
  if (AMOUNT_BEFORE.test(before) || AMOUNT_AFTER.test(text.slice(end, end + 6))) return false
  if (digits.length === 8 && looksLikeCompactDate(digits)) return false
  return true
}

/** 8 digits that read as ddmmyyyy or yyyymmdd (19xx/20xx) are a date before they are a BSN. */
function looksLikeCompactDate(d: string): boolean {
  const ok = (day: number, month: number, year: number) => day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1900 && year <= 2099
  return ok(Number(d.slice(0, 2)), Number(d.slice(2, 4)), Number(d.slice(4))) || ok(Number(d.slice(6)), Number(d.slice(4, 6)), Number(d.slice(0, 4)))
}

// --- configured patterns ------------------------------------------------------------------

const compiled = new Map<string, RegExp | null>()

function* findExtra(text: string, p: ExtraPattern): Iterable<PersonalDataFinding> {
  let re = compiled.get(p.pattern)
  if (re === undefined) {
    try {
      re = new RegExp(p.pattern, "giu")
    } catch {
      re = null
    }
    compiled.set(p.pattern, re)
  }
  if (re === null) return
  for (const m of text.matchAll(re)) if (m[0] !== "") yield { kind: "other", start: m.index, end: m.index + m[0].length, pattern: p.name }
}
