/**
 * Who wrote (or received) a message. Meta identifies a resident by phone number (`wa_id`,
 * `messages[].from`, `statuses[].recipient_id`), by business-scoped user id (BSUID:
 * `user_id`, `messages[].from_user_id`, `statuses[].recipient_user_id`, form `CC.<alnum>`),
 * or both. Residents with a WhatsApp username may arrive without a phone number at all.
 * `value.contacts[]` carries the profile name and, often, the id the message itself lacks.
 */
import type { Resident } from "../../domain/InboundEvent.ts"
import { arr, id, obj, str, type Obj } from "./read.ts"

export interface ContactIndex {
  readonly byWaId: ReadonlyMap<string, Obj>
  readonly byUserId: ReadonlyMap<string, Obj>
  /** The one contact of the change, when there is exactly one: it speaks for an item that names no id. */
  readonly only: Obj | undefined
}

const EMPTY: ContactIndex = { byWaId: new Map(), byUserId: new Map(), only: undefined }

/** Indexes `value.contacts[]` once per change, so a 1,000-message batch stays linear. */
export function indexContacts(contacts: unknown): ContactIndex {
  const list = arr(contacts)
  if (list === undefined || list.length === 0) return EMPTY
  const byWaId = new Map<string, Obj>()
  const byUserId = new Map<string, Obj>()
  let usable = 0
  let last: Obj | undefined
  for (const item of list) {
    const contact = obj(item)
    if (contact === undefined) continue
    usable++
    last = contact
    const waId = id(contact.wa_id)
    const userId = id(contact.user_id)
    if (waId !== null && !byWaId.has(waId)) byWaId.set(waId, contact)
    if (userId !== null && !byUserId.has(userId)) byUserId.set(userId, contact)
  }
  return { byWaId, byUserId, only: usable === 1 ? last : undefined }
}

/**
 * Combines the ids on the item with the matching contact. An item naming no id at all (Meta
 * sometimes sends only `contacts[0].user_id`, no `from`) belongs to the change's contact when
 * there is exactly one. Returns null when neither a phone number nor a BSUID is known: such an
 * item cannot be attributed to a resident.
 */
export function resolveResident(index: ContactIndex, waIdOnItem: unknown, userIdOnItem: unknown): Resident | null {
  const waId = id(waIdOnItem)
  const userId = id(userIdOnItem)
  const contact =
    (waId !== null ? index.byWaId.get(waId) : undefined) ??
    (userId !== null ? index.byUserId.get(userId) : undefined) ??
    (waId === null && userId === null ? index.only : undefined)
  const resolvedWaId = waId ?? id(contact?.wa_id)
  const resolvedUserId = userId ?? id(contact?.user_id)
  if (resolvedWaId === null && resolvedUserId === null) return null
  return {
    waId: resolvedWaId,
    userId: resolvedUserId,
    name: str(obj(contact?.profile)?.name)
  }
}
