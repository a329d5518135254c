/**
 * The read side of linked contacts: which other contacts share a contact's resident. One query
 * for any number of contacts (a page of conversations reads it once, not once per row).
 */
import { inArray } from "drizzle-orm"
import { Effect } from "effect"
import type { Channel } from "../../domain/Channel.ts"
import type { LinkedContact } from "../../domain/Conversation.ts"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import type { ContactRow } from "../../drizzle/schema.ts"

/** For each of `contacts` linked to a resident: the resident's other contacts, oldest first. */
export const linkedContactsOf = (database: DatabaseShape, contacts: ReadonlyArray<Pick<ContactRow, "id" | "residentId">>) =>
  Effect.gen(function*() {
    const residents = [...new Set(contacts.map((c) => c.residentId).filter((r): r is string => r !== null))]
    const byContact = new Map<string, Array<LinkedContact>>()
    if (residents.length === 0) return byContact
    const members = yield* database.all((db, t) =>
      db.select({ id: t.contacts.id, channel: t.contacts.channel, residentId: t.contacts.residentId, createdAt: t.contacts.createdAt })
        .from(t.contacts).where(inArray(t.contacts.residentId, residents))
    )
    members.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
    for (const contact of contacts) {
      if (contact.residentId === null) continue
      byContact.set(contact.id, members.filter((m) => m.residentId === contact.residentId && m.id !== contact.id)
        .map((m) => ({ contactId: m.id, channel: m.channel as Channel })))
    }
    return byContact
  })
