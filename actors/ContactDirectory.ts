/**
 * Who is who: turns the ids a channel gives a resident (WhatsApp: wa_id and/or BSUID) into
 * one contact, so a resident stays one contact when Meta adds or changes an id. Runs in the
 * dispatcher, before routing, so every event of one resident reaches the same actor.
 */
import { and, eq, inArray, or, sql } from "drizzle-orm"
import { Clock, Effect } from "effect"
import type { Channel } from "../domain/Channel.ts"
import { newContactId } from "../domain/ids.ts"
import type { Resident } from "../domain/InboundEvent.ts"
import type { SystemNotice } from "../domain/Message.ts"
import type { DatabaseShape, DatabaseUnavailable } from "../drizzle/Database.ts"
import type { ContactRow, ConversationRow } from "../drizzle/schema.ts"
import { conversationsOf, moveConversations, residentAfterMerge } from "./contacts/mergeContacts.ts"
import { conversationKey } from "./conversation/ConversationActor.ts"

/** Entries kept in memory; the database is the truth, this only spares look-ups. */
const CACHE_SIZE = 50_000

/** Holds the actors at `keys` (each parked between two messages) until the answered release runs. */
export type HoldActors = (keys: ReadonlyArray<string>) => Effect.Effect<Effect.Effect<void>>

export interface Resolved {
  readonly contact: ContactRow
  /** New just now. */
  readonly created: boolean
  /** Conversations that took in another contact's conversations (a merge) just now. */
  readonly merged: ReadonlyArray<ConversationRow>
}

export interface ContactDirectory {
  /**
   * The contact of `resident`, created or updated (name, a newly learnt id) as needed. When the
   * event links contacts known apart (the number on one, the BSUID on the other), they are merged
   * into the oldest, their conversations per channel account into one (docs/contacts.md).
   */
  readonly resolve: (channel: Channel, resident: Resident, notice?: SystemNotice | null, options?: { readonly fresh?: boolean }) => Effect.Effect<Resolved, DatabaseUnavailable>
  /**
   * Cluster mode, a partition's waiting events: the contacts of all their residents read in one
   * statement, the new ones written in one. Answers each event's contact, in order, up to the
   * first event that would change who is who (contacts merged, a number moving to another
   * resident, a notice of a new id, a name or id learnt): that event and those after it are left
   * to `resolve`, one at a time. Shorter than `items` then.
   */
  readonly resolveBatch: (items: ReadonlyArray<BatchItem>) => Effect.Effect<Array<Resolved>, DatabaseUnavailable>
  /** Drops what the cache knows (cluster mode: other instances may have changed contacts meanwhile). */
  readonly forget: () => void
}

export interface BatchItem {
  readonly channel: Channel
  readonly resident: Resident
  readonly notice?: SystemNotice | null | undefined
}

const uniq = (values: ReadonlyArray<string | null | undefined>) => [...new Set(values.filter((v): v is string => v !== null && v !== undefined && v !== ""))]

/**
 * Which known contacts are this resident, and which only share a number with them. A contact
 * holding one of the event's BSUIDs is the resident (a BSUID is never reused). A contact holding
 * one of its numbers is the resident unless it has another BSUID: then the number moved to a new
 * owner, and that contact only loses the number (it keeps its BSUID, so stays reachable).
 */
export function classify(rows: ReadonlyArray<ContactRow>, waIds: ReadonlyArray<string>, userIds: ReadonlyArray<string>) {
  const same: Array<ContactRow> = []
  const losesNumber: Array<ContactRow> = []
  for (const row of rows) {
    const byUser = row.userId !== null && userIds.includes(row.userId)
    const byNumber = row.waId !== null && waIds.includes(row.waId)
    if (byUser || (byNumber && (row.userId === null || userIds.length === 0))) same.push(row)
    else if (byNumber) losesNumber.push(row)
  }
  // The oldest stays: its id is the one agents and links know longest.
  same.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
  return { same, losesNumber }
}

export function makeContactDirectory(database: DatabaseShape, holdActors: HoldActors = () => Effect.succeed(Effect.void)): ContactDirectory {
  const p = sql.placeholder
  const insert = database.prepare.run((db, t) => db.insert(t.contacts).values({
    id: p("id"), channel: p("channel"), handle: p("handle"), waId: p("waId"),
    userId: p("userId"), name: p("name"), createdAt: p("createdAt"), updatedAt: p("updatedAt")
  }))
  const cache = new Map<string, ContactRow>()
  // A failed commit takes contacts made in it along: forget what the cache says of them.
  database.onRollback(() => cache.clear())

  const remember = (row: ContactRow) => {
    if (cache.size >= CACHE_SIZE * 2) {
      // drop the oldest half: Map keeps insertion order
      let n = 0
      for (const key of cache.keys()) {
        if (n++ >= CACHE_SIZE) break
        cache.delete(key)
      }
    }
    if (row.waId !== null) cache.set(`${row.channel}|w|${row.waId}`, row)
    if (row.userId !== null) cache.set(`${row.channel}|u|${row.userId}`, row)
  }

  /** The cached contact when it already says all this event says (the common case: nothing to write). */
  const cached = (channel: string, resident: Resident, notice?: SystemNotice | null): ContactRow | undefined => {
    if ((notice?.newWaId ?? null) !== null || (notice?.newUserId ?? null) !== null) return undefined
    const row = (resident.userId === null ? undefined : cache.get(`${channel}|u|${resident.userId}`)) ??
      (resident.waId === null ? undefined : cache.get(`${channel}|w|${resident.waId}`))
    if (row === undefined) return undefined
    if (resident.userId !== null && row.userId !== resident.userId) return undefined
    if (resident.waId !== null && row.waId !== resident.waId) return undefined
    if (resident.name !== null && row.name !== resident.name) return undefined
    return row
  }

  // The common shapes (a number, a user id, or one of each) prepared once: every new resident's first message looks up.
  const byWaId = database.prepare.all((db, t) => db.select().from(t.contacts)
    .where(and(eq(t.contacts.channel, sql.placeholder("channel")), eq(t.contacts.waId, sql.placeholder("waId")))))
  const byUserId = database.prepare.all((db, t) => db.select().from(t.contacts)
    .where(and(eq(t.contacts.channel, sql.placeholder("channel")), eq(t.contacts.userId, sql.placeholder("userId")))))
  const byEither = database.prepare.all((db, t) => db.select().from(t.contacts).where(and(
    eq(t.contacts.channel, sql.placeholder("channel")),
    or(eq(t.contacts.waId, sql.placeholder("waId")), eq(t.contacts.userId, sql.placeholder("userId")))
  )))
  const lookUp = (channel: string, waIds: ReadonlyArray<string>, userIds: ReadonlyArray<string>): Effect.Effect<Array<ContactRow>, DatabaseUnavailable> => {
    if (waIds.length === 1 && userIds.length === 0) return byWaId({ channel, waId: waIds[0] }) as Effect.Effect<Array<ContactRow>, DatabaseUnavailable>
    if (waIds.length === 0 && userIds.length === 1) return byUserId({ channel, userId: userIds[0] }) as Effect.Effect<Array<ContactRow>, DatabaseUnavailable>
    if (waIds.length === 1 && userIds.length === 1) return byEither({ channel, waId: waIds[0], userId: userIds[0] }) as Effect.Effect<Array<ContactRow>, DatabaseUnavailable>
    return lookUpAny(channel, waIds, userIds)
  }
  const lookUpAny = (channel: string, waIds: ReadonlyArray<string>, userIds: ReadonlyArray<string>) =>
    database.all((db, t) => db.select().from(t.contacts).where(and(
      eq(t.contacts.channel, channel),
      or(
        waIds.length > 0 ? inArray(t.contacts.waId, [...waIds]) : undefined,
        userIds.length > 0 ? inArray(t.contacts.userId, [...userIds]) : undefined
      )
    )))

  const resolve = (channel: Channel, resident: Resident, notice?: SystemNotice | null, options?: { readonly fresh?: boolean }): Effect.Effect<Resolved, DatabaseUnavailable> =>
    Effect.gen(function*() {
      const hit = options?.fresh === true ? undefined : cached(channel, resident, notice)
      if (hit !== undefined) return { contact: hit, created: false, merged: [] }
      const waIds = uniq([resident.waId, notice?.newWaId])
      const userIds = uniq([resident.userId, notice?.newUserId])
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const { same, losesNumber } = classify(yield* lookUp(channel, waIds, userIds), waIds, userIds)
      // A number or user-id change announced by a system message moves the contact to the new id.
      const waId = notice?.newWaId ?? resident.waId ?? same.find((c) => c.waId !== null)?.waId ?? null
      const userId = notice?.newUserId ?? resident.userId ?? same.find((c) => c.userId !== null)?.userId ?? null
      const survivor = same[0]
      if (survivor === undefined) {
        const row: ContactRow = { id: newContactId(), channel, handle: waId ?? userId ?? "", waId, userId, name: resident.name, createdAt: now, updatedAt: now, residentId: null }
        // Numbers this resident now holds are released by residents who held them before.
        yield* database.transaction(Effect.gen(function*() {
          yield* releaseNumbers(losesNumber, now)
          yield* insert(row as never)
        }))
        cache.clear()
        remember(row)
        return { contact: row, created: true, merged: [] }
      }
      const absorbed = same.slice(1)
      const next: ContactRow = {
        ...survivor, waId, userId, handle: waId ?? userId ?? survivor.handle,
        name: resident.name ?? survivor.name ?? absorbed.find((c) => c.name !== null)?.name ?? null,
        residentId: residentAfterMerge(survivor, absorbed)
      }
      const unchanged = absorbed.length === 0 && losesNumber.length === 0 &&
        next.waId === survivor.waId && next.userId === survivor.userId && next.name === survivor.name
      if (unchanged) {
        remember(survivor)
        return { contact: survivor, created: false, merged: [] }
      }
      next.updatedAt = now
      // A merge changes several conversations: their actors wait, between two messages, until it is committed.
      const release = absorbed.length === 0 ? Effect.void : yield* holdActors(yield* actorKeys(channel, same))
      const merged = yield* database.transaction(Effect.gen(function*() {
        yield* releaseNumbers(losesNumber, now)
        const changed = yield* moveConversations(database, survivor, absorbed)
        // The resident link is written by moveConversations (a merge) or by an agent (ContactLinks), never from this read.
        const { residentId: _linkedBy, ...ids } = next
        yield* database.run((db, t) => db.update(t.contacts).set(ids).where(eq(t.contacts.id, survivor.id)))
        return changed
      })).pipe(Effect.tap(() => database.committed()), Effect.ensuring(release))
      // Released and absorbed ids may sit in the cache under other contacts.
      cache.clear()
      remember(next)
      return { contact: next, created: false, merged }
    })

  /** Contacts whose number moved to someone else keep their BSUID (and become addressed by it). */
  const releaseNumbers = (rows: ReadonlyArray<ContactRow>, now: string) =>
    Effect.forEach(rows, (row) =>
      database.run((db, t) => db.update(t.contacts).set({ waId: null, handle: row.userId ?? row.handle, updatedAt: now }).where(eq(t.contacts.id, row.id))), { discard: true })

  /** Every actor a merge of `contacts` touches: each contact's, on each channel account any of them has a conversation on. */
  const actorKeys = (channel: string, contacts: ReadonlyArray<ContactRow>) =>
    conversationsOf(database, contacts.map((c) => c.id)).pipe(Effect.map((rows) => {
      const accounts = uniq(rows.filter((r) => r.channel === channel).map((r) => r.channelAccountId))
      return accounts.flatMap((account) => contacts.map((c) => conversationKey(channel, account, c.id))).sort()
    }))

  const resolveBatch = (items: ReadonlyArray<BatchItem>): Effect.Effect<Array<Resolved>, DatabaseUnavailable> =>
    Effect.gen(function*() {
      const waIds = uniq(items.map((item) => item.resident.waId))
      const userIds = uniq(items.map((item) => item.resident.userId))
      if (waIds.length + userIds.length === 0) return []
      const channels = uniq(items.map((item) => item.channel))
      const rows: Array<ContactRow> = yield* database.all((db, t) => db.select().from(t.contacts).where(and(
        inArray(t.contacts.channel, channels),
        or(
          waIds.length > 0 ? inArray(t.contacts.waId, waIds) : undefined,
          userIds.length > 0 ? inArray(t.contacts.userId, userIds) : undefined
        )
      )))
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const created: Array<ContactRow> = []
      const out: Array<Resolved> = []
      for (const { channel, resident, notice } of items) {
        if ((notice?.newWaId ?? null) !== null || (notice?.newUserId ?? null) !== null) break
        const ids = { wa: uniq([resident.waId]), user: uniq([resident.userId]) }
        if (ids.wa.length + ids.user.length === 0) break
        const matching = rows.filter((row) => row.channel === channel &&
          ((row.waId !== null && ids.wa.includes(row.waId)) || (row.userId !== null && ids.user.includes(row.userId))))
        const { same, losesNumber } = classify(matching, ids.wa, ids.user)
        if (same.length > 1 || losesNumber.length > 0) break
        const survivor = same[0]
        if (survivor === undefined) {
          const row: ContactRow = {
            id: newContactId(), channel, handle: resident.waId ?? resident.userId ?? "", waId: resident.waId, userId: resident.userId,
            name: resident.name, createdAt: now, updatedAt: now, residentId: null
          }
          rows.push(row)
          created.push(row)
          out.push({ contact: row, created: true, merged: [] })
          continue
        }
        const unchanged = (resident.waId ?? survivor.waId) === survivor.waId && (resident.userId ?? survivor.userId) === survivor.userId &&
          (resident.name ?? survivor.name) === survivor.name
        if (!unchanged) break
        out.push({ contact: survivor, created: false, merged: [] })
      }
      if (created.length > 0) yield* database.run((db, t) => db.insert(t.contacts).values(created))
      for (const { contact } of out) remember(contact)
      return out
    })

  return { resolve, resolveBatch, forget: () => cache.clear() }
}
