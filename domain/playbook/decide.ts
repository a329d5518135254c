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

/** The key of a closed period (`closed:` + the next opening) or of an open one (`open:` + its close). */
export function periodKey(settings: SettingsDocument, now: number): { readonly closed: boolean; readonly key: string } {
  const at = new Date(now)
  const closed = closedPeriodKey(settings.officeHours, at)
  if (closed !== null) return { closed: true, key: `closed:${closed}` }
  return { closed: false, key: `open:${nextClose(settings.officeHours, at)?.toISOString() ?? "beyond-horizon"}` }
}

/** `{{nextOpen}}` in the resident's language, e.g. "maandag 1 december om 08:30" (or "morgen om 08:30"). */
export function nextOpenText(settings: SettingsDocument, now: number): string {
  const opening = nextOpen(settings.officeHours, new Date(now))
  return opening === null
    ? NO_OPENING[settings.language]
    : formatNextOpen(opening, settings.officeHours.timezone, settings.language, { now: new Date(now) })
}

export function decideOnInbound(settings: SettingsDocument, now: number, conversation: ConversationSoFar): InboundDecision {
  const { autoReplies, followUp } = settings
  const replies: Array<AutoReplyText> = []
  if (conversation.isNew && autoReplies.firstContact.enabled) replies.push({ kind: "first-contact", text: autoReplies.firstContact.text })
  const period = periodKey(settings, now)
  const alreadyReplied = conversation.autoRepliedFor === period.key
  let repliedFor: string | undefined
  if (period.closed) {
    if (autoReplies.outOfHours.enabled && !alreadyReplied) {
      replies.push({ kind: "out-of-hours", text: autoReplies.outOfHours.text.replaceAll("{{nextOpen}}", nextOpenText(settings, now)) })
      repliedFor = period.key
    }
  } else if (autoReplies.receipt.enabled && !alreadyReplied) {
    replies.push({ kind: "receipt", text: autoReplies.receipt.text })
    repliedFor = period.key
  }
  const opening = period.closed && followUp.enabled ? nextOpen(settings.officeHours, new Date(now)) : null
  return { replies, repliedFor, followUpAt: opening === null ? null : opening.toISOString() }
}
