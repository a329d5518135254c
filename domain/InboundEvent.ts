/**
 * Canonical events: what a channel adapter makes of a provider's webhook.
 * They are stored durably before the provider gets its 2xx, then handed to the
 * conversation's actor. Every event carries an idempotency key (channel + provider id).
 */
import type { Channel } from "./Channel.ts"
import type { Message, MessageError } from "./Message.ts"

/** Who wrote: WhatsApp gives a phone number (wa_id), a business-scoped user id (BSUID), or both. */
export interface Resident {
  readonly waId: string | null
  readonly userId: string | null
  readonly name: string | null
}

/** The parts of a `Message` a provider tells us; Loket adds id, conversation, direction, status and flags. */
export type InboundMessageBody = Omit<Message, "id" | "conversationId" | "direction" | "status" | "flags" | "template" | "interactive" | "author" | "sender">

export interface InboundMessageEvent {
  readonly kind: "message"
  /** `<channel>:msg:<provider message id>` */
  readonly key: string
  readonly channel: Channel
  /** WhatsApp: the receiving phone_number_id. */
  readonly channelAccountId: string
  readonly resident: Resident
  readonly message: InboundMessageBody
}

export type DeliveryStatus = "sent" | "delivered" | "read" | "played" | "failed"

export interface StatusEvent {
  readonly kind: "status"
  /** `<channel>:status:<provider message id>:<status>` */
  readonly key: string
  readonly channel: Channel
  readonly channelAccountId: string
  /** The resident the outbound message went to. */
  readonly resident: Resident
  readonly providerMessageId: string
  readonly status: DeliveryStatus
  /** ISO 8601, from the provider's timestamp. */
  readonly timestamp: string
  readonly error: MessageError | null
  /** Loket's tracking id of the send, echoed by the provider (WhatsApp: biz_opaque_callback_data). */
  readonly trackingId: string | null
}

export interface TemplateStatusEvent {
  readonly kind: "template_status"
  /** `<channel>:template:<template id>:<event>:<entry time>` */
  readonly key: string
  readonly channel: Channel
  /** WhatsApp: the WABA id (`entry[].id`). */
  readonly accountId: string
  readonly templateId: string | null
  readonly name: string
  readonly language: string | null
  readonly status: string
  readonly reason: string | null
}

export type InboundEvent = InboundMessageEvent | StatusEvent | TemplateStatusEvent

/**
 * What an adapter makes of one webhook body. `rejected` holds items that were in a valid
 * payload but could not be understood (a message without an id, say): they are stored as
 * parked events with their raw JSON so nothing is lost, never half of a batch.
 */
export interface ParsedWebhook {
  readonly events: ReadonlyArray<InboundEvent>
  readonly rejected: ReadonlyArray<{ readonly path: string; readonly reason: string; readonly raw: unknown }>
  /** Set when the whole body is well-formed but not for us (other `object`, unknown `field`s only). */
  readonly ignored: string | null
}
