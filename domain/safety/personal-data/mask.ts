/**
 * Masking for agents and exports: every letter and digit of a finding becomes `*` except the last
 * two (an IBAN keeps its country code too), separators stay: `NL** **** **** **** 34`,
 * `*** *** *82`. An e-mail address keeps its first letter, the @ and the part after the last dot.
 */
import type { PersonalDataFinding } from "./PersonalData.ts"

export function maskPersonalData(text: string, findings: ReadonlyArray<PersonalDataFinding>): string {
  let out = ""
  let at = 0
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue
    out += text.slice(at, f.start) + maskValue(text.slice(f.start, f.end), f.kind)
    at = f.end
  }
  return out + text.slice(at)
}

function maskValue(value: string, kind: PersonalDataFinding["kind"]): string {
  if (kind === "email") {
    const tld = value.lastIndexOf(".")
    return value.slice(0, 1) + value.slice(1, tld).replace(/[^@]/g, "*") + value.slice(tld)
  }
  const keepStart = kind === "iban" ? 2 : 0
  const chars = [...value]
  let alnumSeen = 0
  const total = chars.filter((c) => /[\p{L}\p{N}]/u.test(c)).length
  return chars
    .map((c) => {
      if (!/[\p{L}\p{N}]/u.test(c)) return c
      alnumSeen++
      return alnumSeen <= keepStart || alnumSeen > total - 2 ? c : "*"
    })
    .join("")
}
