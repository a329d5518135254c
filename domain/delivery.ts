/**
 * Delivery statuses only move forward: queued → sent → delivered → read. `failed` may follow
 * queued or sent (Meta gives up); it never replaces delivered or read. Late or out-of-order
 * statuses never move a message back.
 */
import type { MessageStatus } from "./Message.ts"
import type { DeliveryStatus } from "./InboundEvent.ts"

const RANK: Record<MessageStatus, number> = { received: 0, queued: 1, sent: 2, failed: 3, delivered: 4, read: 5 }

/** WhatsApp's `played` (voice notes) is a read. */
export const toMessageStatus = (status: DeliveryStatus): MessageStatus => (status === "played" ? "read" : status)

export function advances(current: MessageStatus, next: MessageStatus): boolean {
  if (current === "received") return false
  if (next === "failed") return current === "queued" || current === "sent"
  if (current === "failed") return false
  return RANK[next] > RANK[current]
}
