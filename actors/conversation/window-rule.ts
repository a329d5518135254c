/**
 * The messaging window, as the conversation's channel declares it (`capabilities.window`,
 * adapters/registry.ts): WhatsApp 24 h then templates only; Messenger 24 h, then a tagged
 * send up to 7 days; Telegram and SMS none.
 */
import type { OutboundKind, WindowRule } from "../../adapters/ChannelAdapter.ts"
import { CHANNEL_MODULES, capabilitiesOf } from "../../adapters/registry.ts"

const HOUR_MS = 60 * 60 * 1000
/** A channel Loket does not have keeps WhatsApp's rule, the strictest it knew. */
const FALLBACK: WindowRule = { kind: "reply", hours: 24, afterWindow: "templates" }

export const windowRuleOf = (channel: string): WindowRule => capabilitiesOf(channel)?.window ?? FALLBACK

const labelOf = (channel: string): string => (CHANNEL_MODULES as Record<string, { label: string } | undefined>)[channel]?.label ?? channel

/** When a resident's message at `at` closes the window; null: the channel has none. */
export function windowEndAfter(channel: string, at: string): string | null {
  const rule = windowRuleOf(channel)
  return rule.kind === "none" ? null : new Date(Date.parse(at) + rule.hours * HOUR_MS).toISOString()
}

/** The resident's last message, from the window's end. */
export function lastInboundOf(channel: string, windowExpiresAt: string): string {
  const rule = windowRuleOf(channel)
  return rule.kind === "none" ? windowExpiresAt : new Date(Date.parse(windowExpiresAt) - rule.hours * HOUR_MS).toISOString()
}

export type WindowCheck = { readonly ok: true; readonly tag: string | null } | { readonly ok: false; readonly message: string }

/**
 * May `type` be sent now on `channel`? A send allowed only by the channel's message tag carries it (`tag`).
 * `automated`: Loket wrote it (an auto-reply), so a tag for human-written replies only does not allow it.
 */
export function checkWindow(channel: string, windowExpiresAt: string | null, type: OutboundKind, now: string, automated = false): WindowCheck {
  return checkWindowRule(windowRuleOf(channel), labelOf(channel), windowExpiresAt, type, now, automated)
}

export function checkWindowRule(rule: WindowRule, label: string, windowExpiresAt: string | null, type: OutboundKind, now: string, automated = false): WindowCheck {
  if (rule.kind === "none") return { ok: true, tag: null }
  if (type === "template" && rule.afterWindow === "templates") return { ok: true, tag: null }
  if (windowExpiresAt !== null && windowExpiresAt > now) return { ok: true, tag: null }
  if (windowExpiresAt !== null && rule.tag !== undefined) {
    const lastInbound = Date.parse(windowExpiresAt) - rule.hours * HOUR_MS
    const tagEnd = new Date(lastInbound + rule.tag.hours * HOUR_MS).toISOString()
    if (tagEnd > now) {
      if (rule.tag.humanOnly !== true || !automated) return { ok: true, tag: rule.tag.name }
      return {
        ok: false,
        message: `The ${rule.hours}-hour window closed at ${windowExpiresAt}. After it ${label} allows only replies a person wrote (message tag ${rule.tag.name}, up to ${rule.tag.hours} hours after the resident's last message), never an automatic reply.`
      }
    }
  }
  if (rule.afterWindow === "templates") {
    return {
      ok: false,
      message: windowExpiresAt === null
        ? "The resident has not written yet, so only an approved template may be sent."
        : `The ${rule.hours}-hour window closed at ${windowExpiresAt}: send an approved template instead.`
    }
  }
  const until = rule.tag === undefined ? rule.hours : rule.tag.hours
  return {
    ok: false,
    message: windowExpiresAt === null
      ? `The resident has not written yet: ${label} lets Loket answer only after the resident writes.`
      : `${label} allows answers up to ${until} hours after the resident's last message; that time has passed. Wait until the resident writes again.`
  }
}
