/**
 * Delivery statuses of our outbound messages (`value.statuses[]`) and template review
 * results (`field: "message_template_status_update"`).
 */
import { createHash } from "node:crypto"
import type { DeliveryStatus, StatusEvent, TemplateStatusEvent } from "../../domain/InboundEvent.ts"
import type { Rejection } from "./parse-content.ts"
import { firstError, id, idLike, obj, str, unixSecondsToIso, type Obj } from "./read.ts"
import { resolveResident, type ContactIndex } from "./resident.ts"

const STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(["sent", "delivered", "read", "played", "failed"])

/**
 * `pricing` and `conversation` ride along on statuses; Loket does not bill, so they are
 * not read. An unknown status value is rejected (parked), not guessed at.
 */
export function parseStatus(item: unknown, channelAccountId: string, contacts: ContactIndex): StatusEvent | Rejection {
  const status = obj(item)
  if (status === undefined) return { reject: "status is not an object" }
  const messageId = id(status.id)
  if (messageId === null) return { reject: "status without id" }
  const value = str(status.status)
  if (value === null || !STATUSES.has(value)) return { reject: `unknown status ${JSON.stringify(value)}` }
  const timestamp = unixSecondsToIso(status.timestamp)
  if (timestamp === null) return { reject: "status without a valid Unix-seconds timestamp" }
  const resident = resolveResident(contacts, status.recipient_id, status.recipient_user_id)
  if (resident === null) return { reject: "status without recipient_id or recipient_user_id" }
  return {
    kind: "status",
    key: `whatsapp:status:${messageId}:${value}`,
    channel: "whatsapp",
    channelAccountId,
    resident,
    providerMessageId: messageId,
    status: value as DeliveryStatus,
    timestamp,
    error: firstError(status.errors),
    trackingId: str(status.biz_opaque_callback_data)
  }
}

/**
 * `{ event, message_template_id (a number in Meta's docs), message_template_name,
 * message_template_language, reason, … }`. The key uses `entry.time` (Unix seconds) so a
 * template that goes APPROVED → PAUSED → APPROVED yields three events; without `time`,
 * a hash of the value stands in (stable across Meta's redeliveries of the same body).
 */
export function parseTemplateStatus(value: Obj, entry: Obj): TemplateStatusEvent | Rejection {
  const accountId = idLike(entry.id)
  if (accountId === null) return { reject: "template status update in an entry without id (WABA id)" }
  const event = id(value.event)
  if (event === null) return { reject: "template status update without event" }
  const name = id(value.message_template_name)
  if (name === null) return { reject: "template status update without message_template_name" }
  const templateId = idLike(value.message_template_id)
  const when = idLike(entry.time) ?? hashOf(value)
  return {
    kind: "template_status",
    key: `whatsapp:template:${templateId ?? name}:${event}:${when}`,
    channel: "whatsapp",
    accountId,
    templateId,
    name,
    language: str(value.message_template_language),
    status: event,
    reason: str(value.reason)
  }
}

function hashOf(value: Obj): string {
  let json: string
  try {
    json = JSON.stringify(value) ?? ""
  } catch {
    json = ""
  }
  return createHash("sha256").update(json).digest("hex").slice(0, 16)
}
