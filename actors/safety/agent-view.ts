/**
 * What agents see of a resident's message: the detection results stored with it (positions in
 * its text and in its reply title, `messages.content.safety`) applied as the settings say —
 * personal data masked (`personalData.maskForAgents`), links not allowed defanged
 * (`linkProtection.mode: "neutralize"`). The stored text itself stays as the resident sent it
 * (for the audited reveal).
 */
import { type TextInspection, renderForAgents } from "../../domain/safety/inspect.ts"
import type { LinkFinding } from "../../domain/safety/links/LinkGuard.ts"
import type { PersonalDataFinding } from "../../domain/safety/personal-data/PersonalData.ts"
import type { ResidentSafetySettings } from "./ResidentSafety.ts"

export interface AgentView {
  readonly mask: boolean
  readonly neutralize: boolean
}

/** Nothing masked or defanged. */
export const CLEAR_VIEW: AgentView = { mask: false, neutralize: false }

export const agentViewOf = (settings: ResidentSafetySettings): AgentView => ({
  mask: settings.personalData.maskForAgents,
  neutralize: settings.linkProtection.mode === "neutralize"
})

/** Exports are masked whatever the settings say. */
export const EXPORT_VIEW: AgentView = { mask: true, neutralize: true }

/** What is stored per message (`content.safety`): positions only, never a copy of the values. */
export interface StoredSafety {
  readonly text?: StoredInspection
  readonly replyTitle?: StoredInspection
  readonly flowResponse?: StoredInspection
}
export interface StoredInspection {
  readonly personalData: ReadonlyArray<PersonalDataFinding>
  readonly links: ReadonlyArray<LinkFinding>
}

export const toStored = (i: TextInspection): StoredInspection | undefined =>
  i.personalData.length === 0 && i.links.length === 0 ? undefined : { personalData: i.personalData, links: i.links }

/** `text` as agents see it under `view` (unchanged without stored findings). */
export function renderStored(text: string | null, stored: StoredInspection | undefined, view: AgentView): string | null {
  if (text === null || stored === undefined) return text
  return renderForAgents(text, { flags: [], personalData: stored.personalData, links: stored.links }, view)
}

/** Whether `view` changes anything agents see of a message with `stored` findings. */
export const hidesSomething = (stored: StoredSafety | undefined, view: AgentView): boolean =>
  stored !== undefined && view.mask &&
  [stored.text, stored.replyTitle, stored.flowResponse].some((part) => (part?.personalData.length ?? 0) > 0)
