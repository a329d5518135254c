/**
 * Linking a resident's contacts across channels (docs/contacts.md, "Linked contacts"): an agent
 * says "this Telegram user is the same person as this WhatsApp number". Contacts stay one per
 * channel and keep their conversations; linking only records that they are one resident
 * (`contacts.resident_id`). A resident is a set: linking A to B, where B is linked to C, links all
 * three; it holds at most one contact per channel. Every link and unlink is audited in the
 * transaction that makes it, with contact ids only (never a handle or a name).
 */
import { and, eq, inArray, isNull } from "drizzle-orm"
import { Context, Effect, Layer, Schema } from "effect"
import type { Channel } from "../../domain/Channel.ts"
import type { LinkedContact } from "../../domain/Conversation.ts"
import { newId } from "../../domain/ids.ts"
import { nowMillis } from "../../domain/time.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { ContactRow, ConversationRow } from "../../drizzle/schema.ts"
import { Audit, type AuditActor } from "../audit/Audit.ts"
import { conversationToJson } from "../conversation/serialize.ts"
import { Events } from "../Events.ts"
import { linkedContactsOf } from "./linked.ts"

/** Which conversations the caller may see: all, or those this test lets through (the `access` setting). */
export type SeesConversation = "all" | ((conversation: Pick<ConversationRow, "team" | "assignee">) => boolean)

/** No such contact, or (access "team") none of its conversations is one the caller may see. `field`: where the id came from. */
export class ContactNotFound extends Schema.TaggedError<ContactNotFound>()("ContactNotFound", {
  id: Schema.String,
  field: Schema.Literals(["id", "contactId", "otherId"])
}) {}

/** The link asked for cannot be: `code` says why (same_contact, same_channel), `reason` for a person. */
export class LinkRefused extends Schema.TaggedError<LinkRefused>()("LinkRefused", {
  code: Schema.Literals(["same_contact", "same_channel"]),
  reason: Schema.String
}) {}

/** Another link or unlink changed one of the residents between this one's read and its write: nothing was written. */
export class LinkConflict extends Schema.TaggedError<LinkConflict>()("LinkConflict", {
  id: Schema.String
}) {}

/** The two contacts are not linked (unlink). */
export class LinkNotFound extends Schema.TaggedError<LinkNotFound>()("LinkNotFound", {
  id: Schema.String,
  otherId: Schema.String
}) {}

export interface LinkedProfileEntry extends LinkedContact {
  /** Its conversations' ids the caller may see. */
  readonly conversations: ReadonlyArray<string>
}

/** A contact with its channel and ids, and the resident's other contacts with their conversations. */
export interface ContactProfile {
  readonly id: string
  readonly channel: Channel
  readonly handle: string
  readonly name: string | null
  readonly userId: string | null
  readonly conversations: ReadonlyArray<string>
  readonly linked: ReadonlyArray<LinkedProfileEntry>
}

export interface LinkChange {
  readonly profile: ContactProfile
  /** False when the contacts already were (link) or were not (unlink) one resident: nothing written. */
  readonly changed: boolean
}

type LinkError = ContactNotFound | LinkRefused | LinkConflict | DatabaseUnavailable

export class ContactLinks extends Context.Service<ContactLinks, {
  readonly profile: (id: string, sees: SeesConversation) => Effect.Effect<ContactProfile, ContactNotFound | DatabaseUnavailable>
  /** Links `otherId` (and its resident's contacts) to the resident of `id`. */
  readonly link: (id: string, otherId: string, actor: AuditActor, sees: SeesConversation) => Effect.Effect<LinkChange, LinkError>
  /** `otherId` leaves the resident of `id`; a resident left with one contact ends. */
  readonly unlink: (id: string, otherId: string, actor: AuditActor, sees: SeesConversation) => Effect.Effect<LinkChange, ContactNotFound | LinkNotFound | LinkConflict | DatabaseUnavailable>
}>()("loket/actors/contacts/ContactLinks") {
  static readonly layer = Layer.effect(
    ContactLinks,
    Effect.gen(function*() {
      const database = yield* Database
      const audit = yield* Audit
      const events = yield* Events

      const conversationsOfContacts = (ids: ReadonlyArray<string>) =>
        ids.length === 0
          ? Effect.succeed([] as Array<ConversationRow>)
          : database.all((db, t) => db.select().from(t.conversations).where(inArray(t.conversations.contactId, [...ids])))

      const visibleIds = (rows: ReadonlyArray<ConversationRow>, contactId: string, sees: SeesConversation) =>
        rows.filter((r) => r.contactId === contactId && (sees === "all" || sees(r))).map((r) => r.id)

      /** The contact, when it exists and (access "team") one of its conversations is visible to the caller. */
      const contactFor = (id: string, field: ContactNotFound["field"], sees: SeesConversation) =>
        Effect.gen(function*() {
          const row = yield* database.one((db, t) => db.select().from(t.contacts).where(eq(t.contacts.id, id)))
          if (row === undefined) return yield* new ContactNotFound({ id, field })
          if (sees !== "all" && (yield* conversationsOfContacts([id])).every((c) => !sees(c))) return yield* new ContactNotFound({ id, field })
          return row
        })

      /** The resident's contacts (just the contact when it is linked to none). */
      const membersOf = (contact: ContactRow) =>
        contact.residentId === null
          ? Effect.succeed([contact])
          : database.all((db, t) => db.select().from(t.contacts).where(eq(t.contacts.residentId, contact.residentId!)))

      const profileOf = (contact: ContactRow, sees: SeesConversation) =>
        Effect.gen(function*() {
          const linked = (yield* linkedContactsOf(database, [contact])).get(contact.id) ?? []
          const rows = yield* conversationsOfContacts([contact.id, ...linked.map((l) => l.contactId)])
          return {
            id: contact.id, channel: contact.channel as Channel, handle: contact.handle, name: contact.name, userId: contact.userId,
            conversations: visibleIds(rows, contact.id, sees),
            linked: linked.map((l) => ({ ...l, conversations: visibleIds(rows, l.contactId, sees) }))
          } satisfies ContactProfile
        })

      /** `conversation.updated` for every conversation of these contacts, each carrying its contact's links as they are now. */
      const announce = (contactIds: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          const contacts = yield* database.all((db, t) => db.select().from(t.contacts).where(inArray(t.contacts.id, [...contactIds])))
          const linked = yield* linkedContactsOf(database, contacts)
          const rows = yield* conversationsOfContacts(contactIds)
          const now = yield* nowMillis
          const byId = new Map(contacts.map((c) => [c.id, c]))
          yield* events.publish(rows.flatMap((row) => {
            const contact = byId.get(row.contactId)
            if (contact === undefined) return []
            const data = conversationToJson(row, contact, now)
            return [{ type: "conversation.updated" as const, data: { ...data, contact: { ...data.contact, linked: linked.get(contact.id) ?? [] } } }]
          }))
        })

      const ids = (rows: ReadonlyArray<ContactRow>) => rows.map((r) => r.id).sort()

      /**
       * Moves `group` (read before, all of one resident or one contact linked to none) to `residentId`,
       * only while it is as it was read: a concurrent link or unlink fails this one (rolled back).
       */
      const moveGroup = (group: ReadonlyArray<ContactRow>, residentId: string | null, conflictId: string) =>
        Effect.gen(function*() {
          const was = group[0]!.residentId
          if (was === residentId) return
          const moved = yield* database.all((db, t) => db.update(t.contacts).set({ residentId })
            .where(was === null ? and(eq(t.contacts.id, group[0]!.id), isNull(t.contacts.residentId)) : eq(t.contacts.residentId, was))
            .returning({ id: t.contacts.id }))
          if (moved.length !== group.length) return yield* new LinkConflict({ id: conflictId })
        })

      const link = Effect.fn("ContactLinks.link")(function*(id: string, otherId: string, actor: AuditActor, sees: SeesConversation) {
        const contact = yield* contactFor(id, "id", sees)
        const other = yield* contactFor(otherId, "contactId", sees)
        if (contact.id === other.id) {
          return yield* new LinkRefused({ code: "same_contact", reason: "A contact cannot be linked to itself: name a contact of the same resident on another channel." })
        }
        if (contact.residentId !== null && contact.residentId === other.residentId) return { profile: yield* profileOf(contact, sees), changed: false }
        const ours = yield* membersOf(contact)
        const theirs = yield* membersOf(other)
        const clash = theirs.find((t) => ours.some((o) => o.channel === t.channel))
        if (clash !== undefined) {
          const mine = ours.find((o) => o.channel === clash.channel)!
          return yield* new LinkRefused({
            code: "same_channel",
            reason: mine.id === contact.id && clash.id === other.id
              ? `Both contacts are on ${clash.channel}: a resident has one contact per channel (two ${clash.channel} contacts of one person are merged by Loket when the channel says so, never by a link).`
              : `The resident already has a ${clash.channel} contact (${mine.id}), and ${clash.id} is on ${clash.channel} too: unlink one of them first.`
          })
        }
        const residentId = contact.residentId ?? other.residentId ?? newId("res")
        yield* database.transaction(Effect.gen(function*() {
          yield* moveGroup(ours, residentId, contact.id)
          yield* moveGroup(theirs, residentId, contact.id)
          yield* audit.record({
            actor, action: "contact.link", target: `contact:${contact.id}`,
            before: { contactIds: ids(ours), otherContactIds: ids(theirs) },
            after: { residentId, contactIds: [...ids(ours), ...ids(theirs)].sort(), linked: other.id }
          })
        }))
        yield* database.committed()
        yield* announce([...ours, ...theirs].map((c) => c.id))
        return { profile: yield* profileOf({ ...contact, residentId }, sees), changed: true }
      })

      const unlink = Effect.fn("ContactLinks.unlink")(function*(id: string, otherId: string, actor: AuditActor, sees: SeesConversation) {
        const contact = yield* contactFor(id, "id", sees)
        const other = yield* contactFor(otherId, "otherId", sees)
        if (contact.id === other.id || contact.residentId === null || contact.residentId !== other.residentId) {
          return yield* new LinkNotFound({ id: contact.id, otherId: other.id })
        }
        const members = yield* membersOf(contact)
        const staying = members.filter((m) => m.id !== other.id)
        // A resident of one contact links nothing: it ends.
        const leaving = staying.length <= 1 ? members.map((m) => m.id) : [other.id]
        yield* database.transaction(Effect.gen(function*() {
          const left = yield* database.all((db, t) => db.update(t.contacts).set({ residentId: null })
            .where(and(inArray(t.contacts.id, leaving), eq(t.contacts.residentId, contact.residentId!))).returning({ id: t.contacts.id }))
          if (left.length !== leaving.length) return yield* new LinkConflict({ id: contact.id })
          yield* audit.record({
            actor, action: "contact.unlink", target: `contact:${contact.id}`,
            before: { residentId: contact.residentId, contactIds: ids(members) },
            after: { residentId: staying.length <= 1 ? null : contact.residentId, contactIds: staying.length <= 1 ? [] : ids(staying), unlinked: other.id }
          })
        }))
        yield* database.committed()
        yield* announce(members.map((m) => m.id))
        const after = staying.length <= 1 ? { ...contact, residentId: null } : contact
        return { profile: yield* profileOf(after, sees), changed: true }
      })

      const profile = Effect.fn("ContactLinks.profile")(function*(id: string, sees: SeesConversation) {
        return yield* profileOf(yield* contactFor(id, "id", sees), sees)
      })

      return ContactLinks.of({ profile, link, unlink })
    })
  )
}
