/**
 * Who is who: turns the ids a channel gives a resident (WhatsApp: wa_id and/or BSUID) into
 * one contact, so a resident stays one contact when Meta adds or changes an id. Runs in the
 * dispatcher, before routing, so every event of one resident reaches the same actor.
 */
import { nowIso } from "../domain/time.ts"
import { and, eq, or, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { Channel } from "../domain/Channel.ts"
import { newContactId } from "../domain/ids.ts"
import type { Resident } from "../domain/InboundEvent.ts"
import type { SystemNotice } from "../domain/Message.ts"
import type { DatabaseShape, DatabaseUnavailable } from "../drizzle/Database.ts"
import type { ContactRow } from "../drizzle/schema.ts"

/** Entries kept in memory; the database is the truth, this only spares look-ups. */
const CACHE_SIZE = 50_000

export interface ContactDirectory {
  /** The contact of `resident`, created or updated (name, a newly learnt id) as needed; `created`: new just now. */
  readonly resolve: (channel: Channel, resident: Resident, notice?: SystemNotice | null) =>
    Effect.Effect<{ readonly contact: ContactRow; readonly created: boolean }, DatabaseUnavailable>
  /** Drops what the cache knows (cluster mode: other instances may have changed contacts meanwhile). */
  readonly forget: () => void
}

export function makeContactDirectory(database: DatabaseShape): ContactDirectory {
  const p = sql.placeholder
  // One look-up for both ids (a resident unknown to the cache is usually new).
  const byIds = database.prepare.all((db, t) => db.select().from(t.contacts).where(and(
    eq(t.contacts.channel, p("channel")),
    or(eq(t.contacts.userId, p("userId")), eq(t.contacts.waId, p("waId")))
  )).limit(2))
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

  /** The contact holding `resident`'s user id, else the one holding its number. */
  const find = (channel: string, resident: Resident): Effect.Effect<ContactRow | undefined, DatabaseUnavailable> => {
    const byUser = resident.userId === null ? undefined : cache.get(`${channel}|u|${resident.userId}`)
    if (byUser !== undefined) return Effect.succeed(byUser)
    const byNumber = resident.waId === null ? undefined : cache.get(`${channel}|w|${resident.waId}`)
    if (byNumber !== undefined && (resident.userId === null || byNumber.userId === null || byNumber.userId === resident.userId)) {
      return Effect.succeed(byNumber)
    }
    return byIds({ channel, userId: resident.userId, waId: resident.waId }).pipe(Effect.map((found) => {
      const rows = found as Array<ContactRow>
      const row = rows.find((r) => resident.userId !== null && r.userId === resident.userId) ?? rows[0]
      if (row !== undefined) remember(row)
      return row
    }))
  }

  const forget = (row: ContactRow) => {
    cache.delete(`${row.channel}|w|${row.waId}`)
    cache.delete(`${row.channel}|u|${row.userId}`)
  }

  const resolve = (channel: Channel, resident: Resident, notice?: SystemNotice | null) =>
    Effect.flatMap(Effect.all([find(channel, resident), nowIso]), ([found, now]) => {
      // A number or user-id change announced by a system message moves the contact to the new id.
      const waId = notice?.newWaId ?? resident.waId
      const userId = notice?.newUserId ?? resident.userId
      if (found === undefined) {
        const row: ContactRow = {
          id: newContactId(), channel, handle: waId ?? userId ?? "", waId, userId,
          name: resident.name, createdAt: now, updatedAt: now
        }
        // One statement, atomic by itself: it joins the group commit (SQLite) or commits alone (PostgreSQL).
        return insert(row as never).pipe(Effect.map(() => {
          remember(row)
          return { contact: row, created: true }
        }))
      }
      const next: ContactRow = {
        ...found,
        waId: waId ?? found.waId,
        userId: userId ?? found.userId,
        name: resident.name ?? found.name
      }
      next.handle = next.waId ?? next.userId ?? found.handle
      if (next.waId === found.waId && next.userId === found.userId && next.name === found.name) {
        return Effect.succeed({ contact: next, created: false })
      }
      next.updatedAt = now
      // An id now used by this resident is released by any stale contact that still holds it.
      return database.transaction(Effect.gen(function*() {
        if (next.waId !== found.waId && next.waId !== null) {
          yield* database.run((db, t) => db.update(t.contacts).set({ waId: null }).where(and(eq(t.contacts.channel, channel), eq(t.contacts.waId, next.waId!))))
        }
        if (next.userId !== found.userId && next.userId !== null) {
          yield* database.run((db, t) => db.update(t.contacts).set({ userId: null }).where(and(eq(t.contacts.channel, channel), eq(t.contacts.userId, next.userId!))))
        }
        yield* database.run((db, t) => db.update(t.contacts).set(next).where(eq(t.contacts.id, found.id)))
      })).pipe(Effect.map(() => {
        // A released id may sit in the cache under another contact.
        if (next.waId !== found.waId || next.userId !== found.userId) cache.clear()
        else forget(found)
        remember(next)
        return { contact: next, created: false }
      }))
    })

  return { resolve, forget: () => cache.clear() }
}
