/**
 * Messenger and Instagram speak the same Messenger Platform: one webhook shape (`entry[].messaging[]`),
 * one Send API. What differs per channel is in a profile: the webhook's `object`, the text limit,
 * what can be sent, and whether a send's `metadata` comes back on its echo.
 */
import type { ChannelCapabilities } from "../ChannelAdapter.ts"

export interface MetaMessagingProfile {
  readonly channel: "messenger" | "instagram"
  /** How people read the channel's name: "Messenger", "Instagram". */
  readonly label: string
  /** The webhook body's `object`: "page" (Messenger), "instagram". */
  readonly object: string
  readonly capabilities: ChannelCapabilities
  /** Whether the Send API takes `message.metadata` and echoes it back (Messenger: yes). */
  readonly metadata: boolean
  /** The variable that enables the `HUMAN_AGENT` tag, for messages naming it. */
  readonly humanAgentVariable: string
  /** Files agents may upload to send by `attachment_id` (Messenger's Attachment Upload API); undefined: links only. */
  readonly upload?: { readonly maxBytes: number; readonly mimeTypes: ReadonlyArray<string> } | undefined
}

/** Meta's documented window: 24 hours after the resident's last message, then `HUMAN_AGENT` (7 days) for what a person wrote. */
export const META_MESSAGING_WINDOW = {
  kind: "reply",
  hours: 24,
  afterWindow: "nothing",
  tag: { name: "HUMAN_AGENT", hours: 168, humanOnly: true }
} as const

/** Quick replies (Send API `quick_replies`): at most 13, titles at most 20 characters, payloads at most 1,000. */
export const QUICK_REPLY_LIMITS = { count: 13, title: 20, payload: 1000 } as const

/** Send API `message.metadata`: at most 1,000 characters. Loket's tracking id is prefixed with this. */
export const METADATA_PREFIX = "loket:"

/** The Page inbox's app id on echoes of messages sent from Meta Business Suite (Meta's documentation). */
export const PAGE_INBOX_APP_ID = "263902037430900"
