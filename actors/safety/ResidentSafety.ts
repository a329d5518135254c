/**
 * What the resident-safety checks need from the municipality's settings (`personalData`,
 * `linkProtection`, `outboundPolicy`, `language`), read from memory on every message. One
 * service so the source can be swapped: `ResidentSafety.defaults` (the documented defaults) or
 * `ResidentSafety.fromSettings` (the settings document, `Settings.current`).
 */
import { Context, Effect, Layer } from "effect"
import type { ExtraTerms } from "../../domain/safety/outbound-policy/OutboundPolicy.ts"
import type { ExtraPattern } from "../../domain/safety/personal-data/PersonalData.ts"
import type { LinkProtectionMode, SafetyOptions } from "../../domain/safety/inspect.ts"

export interface ResidentSafetySettings {
  readonly language: "nl" | "en"
  readonly personalData: {
    readonly detect: boolean
    readonly warnResident: boolean
    readonly text: string
    readonly maskForAgents: boolean
    readonly extraPatterns?: ReadonlyArray<ExtraPattern>
  }
  readonly linkProtection: {
    readonly mode: LinkProtectionMode
    readonly allowDomains: ReadonlyArray<string>
    readonly blockDomains: ReadonlyArray<string>
  }
  readonly outboundPolicy: {
    readonly mode: "warn" | "block"
    readonly extraTerms: ExtraTerms
  }
}

/** The warning residents get, once per conversation, when they first send personal data. */
export const DEFAULT_PERSONAL_DATA_WARNING = {
  nl: "Stuur liever geen BSN of andere persoonlijke gegevens via WhatsApp. Voor persoonlijke zaken gebruikt u de beveiligde omgeving van de gemeente: log in met DigiD.",
  en: "Please do not send your BSN (citizen service number) or other personal details on WhatsApp. For personal matters, use the municipality's secure environment: log in with DigiD."
} as const

export const defaultResidentSafety: ResidentSafetySettings = {
  language: "nl",
  personalData: { detect: true, warnResident: true, text: DEFAULT_PERSONAL_DATA_WARNING.nl, maskForAgents: false },
  linkProtection: { mode: "flag", allowDomains: [], blockDomains: [] },
  outboundPolicy: { mode: "warn", extraTerms: {} }
}

/** The detection options the settings give. */
export function safetyOptions(settings: ResidentSafetySettings): SafetyOptions {
  return {
    detectPersonalData: settings.personalData.detect,
    extraPatterns: settings.personalData.extraPatterns ?? [],
    linkMode: settings.linkProtection.mode,
    links: settings.linkProtection
  }
}

export class ResidentSafety extends Context.Service<ResidentSafety, {
  /** The settings now, from memory. */
  readonly current: Effect.Effect<ResidentSafetySettings>
}>()("loket/actors/safety/ResidentSafety") {
  static readonly defaults = Layer.succeed(ResidentSafety, { current: Effect.succeed(defaultResidentSafety) })
  /** Fixed settings (tests, and until the settings document is wired). */
  static readonly fixed = (settings: ResidentSafetySettings) => Layer.succeed(ResidentSafety, { current: Effect.succeed(settings) })
}
