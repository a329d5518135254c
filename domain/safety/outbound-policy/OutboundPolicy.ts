/**
 * Agents' messages checked against WhatsApp's Business Messaging Policy before they go out:
 * gambling, adult content, political promotion. A hit is a warning (the agent decides), unless
 * the municipality sets `outboundPolicy.mode` to `block`. Terms match whole words, case and
 * accents ignored; the municipality adds its own per category.
 */
export const POLICY_CATEGORIES = ["gambling", "adult", "political"] as const
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number]

export interface PolicyWarning {
  readonly code: "outbound_policy"
  readonly category: PolicyCategory
  readonly term: string
  readonly message: string
}

export type ExtraTerms = Partial<Record<PolicyCategory, ReadonlyArray<string>>>

export const DEFAULT_TERMS: Record<PolicyCategory, ReadonlyArray<string>> = {
  gambling: [
    "casino", "online casino", "gokken", "goksite", "sportweddenschap", "sportweddenschappen", "weddenschap",
    "jackpot", "poker", "roulette", "blackjack", "gokkast", "fruitautomaat", "free spins", "gratis spins",
    "betting", "bet now", "gambling", "slots", "bookmaker"
  ],
  adult: [
    "porno", "porn", "sex", "seks", "sexdate", "seksdate", "escort", "erotiek", "erotisch", "erotic", "naakt", "naaktfoto",
    "nude", "nudes", "xxx", "camgirl", "webcamsex", "onlyfans"
  ],
  political: [
    "stem op", "stem voor", "vote for", "kies voor partij", "verkiezingscampagne", "campagne van", "lid worden van de partij",
    "steun onze partij", "support our party", "onze kandidaat", "our candidate", "partijprogramma", "stemadvies"
  ]
}

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const MESSAGES: Record<PolicyCategory, string> = {
  gambling: "WhatsApp's Business Messaging Policy does not allow promoting gambling",
  adult: "WhatsApp's Business Messaging Policy does not allow adult content",
  political: "WhatsApp's Business Messaging Policy restricts political promotion"
}

const compiled = new Map<string, ReadonlyArray<{ category: PolicyCategory; term: string; re: RegExp }>>()

function matchers(extra: ExtraTerms) {
  const key = JSON.stringify(extra)
  let m = compiled.get(key)
  if (m === undefined) {
    m = POLICY_CATEGORIES.flatMap((category) =>
      // Longest first, so a warning names "online casino" rather than "casino".
      [...new Set([...DEFAULT_TERMS[category], ...(extra[category] ?? [])].map((t) => fold(t.trim())).filter((t) => t !== ""))].sort((a, b) => b.length - a.length).map((term) => ({
        category,
        term,
        re: new RegExp(`(?<![\\p{L}\\p{N}])${escape(term).replace(/\s+/g, "\\s+")}(?![\\p{L}\\p{N}])`, "u")
      }))
    )
    if (compiled.size > 16) compiled.clear()
    compiled.set(key, m)
  }
  return m
}

/** The warnings for one outbound text: one per category, naming the first term found. */
export function checkOutboundText(text: string, extra: ExtraTerms = {}): ReadonlyArray<PolicyWarning> {
  const folded = fold(text)
  const warnings: Array<PolicyWarning> = []
  for (const { category, term, re } of matchers(extra)) {
    if (warnings.some((w) => w.category === category)) continue
    if (re.test(folded)) warnings.push({ code: "outbound_policy", category, term, message: `${MESSAGES[category]} ("${term}").` })
  }
  return warnings
}
