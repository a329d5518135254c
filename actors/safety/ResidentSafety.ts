/**
 * What the resident-safety checks need from the municipality's settings (`personalData`,
 * `linkProtection`, `outboundPolicy`, `language`), read from memory on every message. One
 * service so the source can be swapped: `ResidentSafety.defaults` (the documented defaults) or
 * `ResidentSafety.fromSettings` (the settings document, `Settings.current`).
 */
import { Context, Effect, Layer } from "effect"
import { defaultTexts, type SettingsDocument } from "../../domain/settings/mod.ts"
import { Settings } from "../settings/Settings.ts"
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

/** The warning residents get, once per conversation, when they first send personal data (`personalData.text`'s default). */
export const DEFAULT_PERSONAL_DATA_WARNING = defaultTexts.personalDataWarning

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
  /** The settings document (Settings.current, from memory): what the gateway runs with. */
  static readonly fromSettings = Layer.effect(
    ResidentSafety,
    Effect.gen(function*() {
      const settings = yield* Settings
      const cache = new WeakMap<SettingsDocument, ResidentSafetySettings>()
      const of = (document: SettingsDocument): ResidentSafetySettings => {
        let s = cache.get(document)
        if (s === undefined) {
          s = {
            language: document.language,
            personalData: document.personalData,
            linkProtection: document.linkProtection,
            outboundPolicy: document.outboundPolicy
          }
          cache.set(document, s)
        }
        return s
      }
      return { current: Effect.map(settings.current, of) }
    })
  )
  /** Fixed settings (tests, and until the settings document is wired). */
  static readonly fixed = (settings: ResidentSafetySettings) => Layer.succeed(ResidentSafety, { current: Effect.succeed(settings) })
}
