/**
 * The municipal playbook's decision on a resident's message, as pure functions of the settings
 * and the instant: which of Loket's own replies go (first contact, out of hours, receipt) and
 * whether a follow-up is due at the next opening. The conversation actor applies the decision in
 * the message's transaction (actors/conversation/playbook.ts). What a resident gets when:
 * docs/playbook.md.
 */
import { closedPeriodKey, formatNextOpen, nextClose, nextOpen } from "../office-hours/OfficeHours.ts"
import type { SettingsDocument } from "../settings/mod.ts"

export type AutoReplyKind = "first-contact" | "out-of-hours" | "receipt"

export interface AutoReplyText {
  readonly kind: AutoReplyKind
  readonly text: string
}

export interface InboundDecision {
  /** Loket's own replies, in the order they are sent. */
  readonly replies: ReadonlyArray<AutoReplyText>
  /** The office-hours period the out-of-hours or receipt reply is sent for (the conversation keeps it); undefined: none sent. */
  readonly repliedFor: string | undefined
  /** The next opening (ISO) when a follow-up is due then; null: no follow-up (a pending one is cancelled). */
  readonly followUpAt: string | null
}

export interface ConversationSoFar {
  /** The conversation begins with this message. */
  readonly isNew: boolean
  /** The period Loket last replied for (`autoRepliedFor`). */
  readonly autoRepliedFor: string | null
}

/** What `{{nextOpen}}` reads when nothing opens within the horizon (400 days). */
const NO_OPENING = { nl: "zodra we weer open zijn", en: "as soon as we are open again" } as const

/** What the playbook asks of the office hours at one instant. */
export interface OfficeHoursNow {
  readonly closed: boolean
  /** `closed:` + the next opening's instant, or `open:` + the current period's close: one key per period. */
  readonly key: string
  /** The next opening (ISO), null while open or when nothing opens within the horizon. */
  readonly nextOpen: string | null
  /** `{{nextOpen}}` in the resident's language, e.g. "maandag 1 december om 08:30" (or "morgen om 08:30"). */
  readonly nextOpenText: string
}

/**
 * Every answer holds for a whole minute: openings, closings and local midnight (where "morgen"
 * becomes "vandaag") fall on minute boundaries, since zones' offsets are whole minutes. So the
 * office-hours rules run once a minute per settings document, not once per message.
 */
const MINUTE_MS = 60_000
const cache = new WeakMap<SettingsDocument, { readonly minute: number; readonly value: OfficeHoursNow }>()

export function officeHoursNow(settings: SettingsDocument, now: number): OfficeHoursNow {
  const minute = Math.floor(now / MINUTE_MS)
  const cached = cache.get(settings)
  if (cached !== undefined && cached.minute === minute) return cached.value
  const at = new Date(minute * MINUTE_MS)
  const closed = closedPeriodKey(settings.officeHours, at)
  const opening = closed === null ? null : nextOpen(settings.officeHours, at)
  const value: OfficeHoursNow = closed === null
    ? { closed: false, key: `open:${nextClose(settings.officeHours, at)?.toISOString() ?? "beyond-horizon"}`, nextOpen: null, nextOpenText: "" }
    : {
      closed: true,
      key: `closed:${closed}`,
      nextOpen: opening?.toISOString() ?? null,
      nextOpenText: opening === null
        ? NO_OPENING[settings.language]
        : formatNextOpen(opening, settings.officeHours.timezone, settings.language, { now: at })
    }
  cache.set(settings, { minute, value })
  return value
}

/** Nothing of the playbook is on: no office-hours question needs asking. */
const playbookOff = (settings: SettingsDocument) =>
  !settings.autoReplies.outOfHours.enabled && !settings.autoReplies.receipt.enabled && !settings.autoReplies.firstContact.enabled && !settings.followUp.enabled

const NOTHING: InboundDecision = { replies: [], repliedFor: undefined, followUpAt: null }

export function decideOnInbound(settings: SettingsDocument, now: number, conversation: ConversationSoFar): InboundDecision {
  if (playbookOff(settings)) return NOTHING
  const { autoReplies, followUp } = settings
  const replies: Array<AutoReplyText> = []
  if (conversation.isNew && autoReplies.firstContact.enabled) replies.push({ kind: "first-contact", text: autoReplies.firstContact.text })
  const period = officeHoursNow(settings, now)
  const alreadyReplied = conversation.autoRepliedFor === period.key
  let repliedFor: string | undefined
  if (period.closed) {
    if (autoReplies.outOfHours.enabled && !alreadyReplied) {
      replies.push({ kind: "out-of-hours", text: autoReplies.outOfHours.text.replaceAll("{{nextOpen}}", period.nextOpenText) })
      repliedFor = period.key
    }
  } else if (autoReplies.receipt.enabled && !alreadyReplied) {
    replies.push({ kind: "receipt", text: autoReplies.receipt.text })
    repliedFor = period.key
  }
  return { replies, repliedFor, followUpAt: period.closed && followUp.enabled ? period.nextOpen : null }
}
