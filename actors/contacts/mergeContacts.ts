/**
 * Two contacts that turn out to be one resident (an event finally names both ids) become one:
 * the survivor keeps its id; every conversation of the absorbed contacts moves to it — into the
 * survivor's conversation on the same channel account when it has one (every message kept,
 * outbox rows along), else as it is. Runs inside one `database.transaction`, while the actors
 * of every conversation involved are held (ContactDirectory), so no other writer interleaves.
 */
import { and, eq, inArray } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import type { ContactRow, ConversationRow } from "../../drizzle/schema.ts"

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b)
const earlier = (a: string, b: string) => (a < b ? a : b)

/** The survivor's conversation after `absorbed` joined it. */
export function joinConversations(survivor: ConversationRow, absorbed: ConversationRow): ConversationRow {
  return {
    ...survivor,
    status: survivor.status === "open" || absorbed.status === "open" ? "open" : "closed",
    team: survivor.team ?? absorbed.team,
    assignee: survivor.assignee ?? absorbed.assignee,
    createdAt: earlier(survivor.createdAt, absorbed.createdAt),
    lastMessageAt: later(survivor.lastMessageAt, absorbed.lastMessageAt)!,
    windowExpiresAt: later(survivor.windowExpiresAt, absorbed.windowExpiresAt),
    lastOutboundAt: later(survivor.lastOutboundAt, absorbed.lastOutboundAt),
    windowWarnedFor: later(survivor.windowWarnedFor, absorbed.windowWarnedFor)
  }
}

/**
 * Moves the conversations of `absorbed` to `survivor` and deletes the absorbed contacts (call
 * inside a transaction; the survivor's own row is updated by the caller). Answers the
 * survivor's conversations that changed.
 */
export const moveConversations = (database: DatabaseShape, survivor: ContactRow, absorbed: ReadonlyArray<ContactRow>) =>
  Effect.gen(function*() {
    const changed: Array<ConversationRow> = []
    const absorbedIds = absorbed.map((c) => c.id)
    if (absorbedIds.length === 0) return changed
    const moving = yield* database.all((db, t) => db.select().from(t.conversations).where(inArray(t.conversations.contactId, absorbedIds)))
    for (const from of moving) {
      const into = yield* database.one((db, t) => db.select().from(t.conversations).where(and(
        eq(t.conversations.channel, from.channel), eq(t.conversations.channelAccountId, from.channelAccountId),
        eq(t.conversations.contactId, survivor.id)
      )))
      if (into === undefined) {
        yield* database.run((db, t) => db.update(t.conversations).set({ contactId: survivor.id }).where(eq(t.conversations.id, from.id)))
        yield* database.run((db, t) => db.update(t.outbox).set({ contactId: survivor.id }).where(eq(t.outbox.conversationId, from.id)))
        changed.push({ ...from, contactId: survivor.id })
        continue
      }
      // An agent's Idempotency-Key used in both conversations: the survivor's message keeps it.
      yield* database.run((db, t) => db.update(t.messages).set({ idempotencyKey: null }).where(and(
        eq(t.messages.conversationId, from.id),
        inArray(t.messages.idempotencyKey, db.select({ k: t.messages.idempotencyKey }).from(t.messages).where(eq(t.messages.conversationId, into.id)))
      )))
      yield* database.run((db, t) => db.update(t.messages).set({ conversationId: into.id }).where(eq(t.messages.conversationId, from.id)))
      yield* database.run((db, t) => db.update(t.outbox).set({ conversationId: into.id, contactId: survivor.id }).where(eq(t.outbox.conversationId, from.id)))
      const joined = joinConversations(into, from)
      yield* database.run((db, t) => db.update(t.conversations).set({
        status: joined.status, team: joined.team, assignee: joined.assignee, createdAt: joined.createdAt,
        lastMessageAt: joined.lastMessageAt, windowExpiresAt: joined.windowExpiresAt,
        lastOutboundAt: joined.lastOutboundAt, windowWarnedFor: joined.windowWarnedFor
      }).where(eq(t.conversations.id, into.id)))
      // The absorbed conversation's timers (a pending follow-up) go with it: the survivor keeps its own.
      yield* database.run((db, t) => db.delete(t.timers).where(eq(t.timers.conversationId, from.id)))
      yield* database.run((db, t) => db.delete(t.conversations).where(eq(t.conversations.id, from.id)))
      changed.push(joined)
    }
    yield* moveLinks(database, survivor, absorbed)
    yield* database.run((db, t) => db.delete(t.contacts).where(inArray(t.contacts.id, absorbedIds)))
    return changed
  })

/**
 * The resident the survivor of a merge belongs to (docs/contacts.md, "Linked contacts"): its own,
 * else the first absorbed contact's that has one.
 */
export const residentAfterMerge = (survivor: ContactRow, absorbed: ReadonlyArray<ContactRow>): string | null =>
  survivor.residentId ?? absorbed.find((c) => c.residentId !== null)?.residentId ?? null

/**
 * The absorbed contacts' links move to the survivor: it joins their resident when it had none, and
 * the contacts linked to any absorbed contact join the survivor's resident (call inside the merge's transaction).
 */
export const moveLinks = (database: DatabaseShape, survivor: ContactRow, absorbed: ReadonlyArray<ContactRow>) =>
  Effect.gen(function*() {
    const residentId = residentAfterMerge(survivor, absorbed)
    if (residentId === null) return
    const others = [...new Set(absorbed.map((c) => c.residentId).filter((r): r is string => r !== null && r !== residentId))]
    if (others.length > 0) {
      yield* database.run((db, t) => db.update(t.contacts).set({ residentId }).where(inArray(t.contacts.residentId, others)))
    }
    if (survivor.residentId !== residentId) {
      yield* database.run((db, t) => db.update(t.contacts).set({ residentId }).where(eq(t.contacts.id, survivor.id)))
    }
  })

/** Conversations (channel account and contact) of `contactIds`: the actors a merge must hold. */
export const conversationsOf = (database: DatabaseShape, contactIds: ReadonlyArray<string>) =>
  database.all((db, t) => db.select({ channel: t.conversations.channel, channelAccountId: t.conversations.channelAccountId, contactId: t.conversations.contactId })
    .from(t.conversations).where(inArray(t.conversations.contactId, [...contactIds])))
