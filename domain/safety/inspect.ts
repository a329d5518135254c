/**
 * One text through every resident-safety check: the contract flags it earns, what an agent may
 * see of it (masked, defanged), and the blocked links to raise an alert for. Pure: the settings
 * come in as arguments.
 */
import { defang, findLinks, type LinkFinding, linkFlags, type LinkPolicy } from "./links/LinkGuard.ts"
import { type ExtraPattern, findPersonalData, type PersonalDataFinding, personalDataFlags } from "./personal-data/PersonalData.ts"
import { maskPersonalData } from "./personal-data/mask.ts"

export type LinkProtectionMode = "off" | "flag" | "neutralize"

export interface SafetyOptions {
  readonly detectPersonalData: boolean
  readonly extraPatterns?: ReadonlyArray<ExtraPattern>
  readonly linkMode: LinkProtectionMode
  readonly links: LinkPolicy
}

export interface TextInspection {
  readonly flags: ReadonlyArray<string>
  readonly personalData: ReadonlyArray<PersonalDataFinding>
  readonly links: ReadonlyArray<LinkFinding>
}

export function inspectText(text: string, options: SafetyOptions): TextInspection {
  const personalData = options.detectPersonalData ? findPersonalData(text, { extraPatterns: options.extraPatterns ?? [] }) : []
  const links = options.linkMode === "off" ? [] : findLinks(text, options.links).filter((l) => !personalData.some((p) => l.start < p.end && p.start < l.end))
  return { flags: [...personalDataFlags(personalData), ...linkFlags(links)], personalData, links }
}

/**
 * What an agent reads: personal data masked when `mask`, links not allowed defanged when
 * `neutralize` (both work on the original text's positions, so they are applied in one pass).
 */
export function renderForAgents(text: string, inspection: TextInspection, opts: { readonly mask: boolean; readonly neutralize: boolean }): string {
  const masked = opts.mask ? inspection.personalData : []
  const defanged = opts.neutralize ? inspection.links.filter((l) => l.verdict !== "allowed") : []
  if (masked.length === 0 && defanged.length === 0) return text
  type Edit = { start: number; end: number; render: (s: string) => string }
  const edits: Array<Edit> = [
    ...masked.map((f) => ({ start: f.start, end: f.end, render: (s: string) => maskPersonalData(s, [{ ...f, start: 0, end: s.length }]) })),
    ...defanged.map((l) => ({ start: l.start, end: l.end, render: (s: string) => defang(s, [{ ...l, start: 0, end: s.length }]) }))
  ].sort((a, b) => a.start - b.start)
  let out = ""
  let at = 0
  for (const e of edits) {
    if (e.start < at) continue
    out += text.slice(at, e.start) + e.render(text.slice(e.start, e.end))
    at = e.end
  }
  return out + text.slice(at)
}
