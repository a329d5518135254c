/**
 * Who is who: turns the ids a channel gives a resident (WhatsApp: wa_id and/or BSUID) into
 * one contact, so a resident stays one contact when Meta adds or changes an id. Runs in the
 * dispatcher, before routing, so every event of one resident reaches the same actor.
 */
import { and, eq, or, sql } from "drizzle-orm"
import type { Channel } from "../domain/Channel.ts"
import { newContactId } from "../domain/ids.ts"
import type { Resident } from "../domain/InboundEvent.ts"
import type { SystemNotice } from "../domain/Message.ts"
import type { DatabaseShape } from "../drizzle/Database.ts"
import { type ContactRow, contacts } from "../drizzle/schema.ts"

/** Entries kept in memory; the database is the truth, this only spares look-ups. */
const CACHE_SIZE = 50_000

export interface ContactDirectory {
  /** The contact of `resident`, created or updated (name, a newly learnt id) as needed; `created`: new just now. */
  readonly resolve: (channel: Channel, resident: Resident, notice?: SystemNotice | null) => { readonly contact: ContactRow; readonly created: boolean }
}

export function makeContactDirectory(database: DatabaseShape): ContactDirectory {
  const { db } = database
  // One look-up for both ids (a resident unknown to the cache is usually new).
  const byIds = db.select().from(contacts).where(and(
    eq(contacts.channel, sql.placeholder("channel")),
    or(eq(contacts.userId, sql.placeholder("userId")), eq(contacts.waId, sql.placeholder("waId")))
  )).limit(2).prepare()
  const insert = db.insert(contacts).values({
    id: sql.placeholder("id"), channel: sql.placeholder("channel"), handle: sql.placeholder("handle"), waId: sql.placeholder("waId"),
    userId: sql.placeholder("userId"), name: sql.placeholder("name"), createdAt: sql.placeholder("createdAt"), updatedAt: sql.placeholder("updatedAt")
  }).prepare()
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
  const find = (channel: string, resident: Resident): ContactRow | undefined => {
    const byUser = resident.userId === null ? undefined : cache.get(`${channel}|u|${resident.userId}`)
    if (byUser !== undefined) return byUser
    const byNumber = resident.waId === null ? undefined : cache.get(`${channel}|w|${resident.waId}`)
    if (byNumber !== undefined && (resident.userId === null || byNumber.userId === null || byNumber.userId === resident.userId)) return byNumber
    const rows = byIds.all({ channel, userId: resident.userId, waId: resident.waId }) as Array<ContactRow>
    const row = rows.find((r) => resident.userId !== null && r.userId === resident.userId) ?? rows[0]
    if (row !== undefined) remember(row)
    return row
  }

  const forget = (row: ContactRow) => {
    cache.delete(`${row.channel}|w|${row.waId}`)
    cache.delete(`${row.channel}|u|${row.userId}`)
  }

  const resolve = (channel: Channel, resident: Resident, notice?: SystemNotice | null) => {
    const found = find(channel, resident)
    // A number or user-id change announced by a system message moves the contact to the new id.
    const waId = notice?.newWaId ?? resident.waId
    const userId = notice?.newUserId ?? resident.userId
    const now = new Date().toISOString()
    if (found === undefined) {
      const row: ContactRow = {
        id: newContactId(), channel, handle: waId ?? userId ?? "", waId, userId,
        name: resident.name, createdAt: now, updatedAt: now
      }
      database.statement(() => insert.run(row))
      remember(row)
      return { contact: row, created: true }
    }
    const next: ContactRow = {
      ...found,
      waId: waId ?? found.waId,
      userId: userId ?? found.userId,
      name: resident.name ?? found.name
    }
    next.handle = next.waId ?? next.userId ?? found.handle
    if (next.waId !== found.waId || next.userId !== found.userId || next.name !== found.name) {
      next.updatedAt = now
      // An id now used by this resident is released by any stale contact that still holds it.
      database.transaction((tx) => {
        if (next.waId !== found.waId && next.waId !== null) {
          tx.update(contacts).set({ waId: null }).where(and(eq(contacts.channel, channel), eq(contacts.waId, next.waId))).run()
        }
        if (next.userId !== found.userId && next.userId !== null) {
          tx.update(contacts).set({ userId: null }).where(and(eq(contacts.channel, channel), eq(contacts.userId, next.userId))).run()
        }
        tx.update(contacts).set(next).where(eq(contacts.id, found.id)).run()
      })
      // A released id may sit in the cache under another contact.
      if (next.waId !== found.waId || next.userId !== found.userId) cache.clear()
      else forget(found)
      remember(next)
    }
    return { contact: next, created: false }
  }

  return { resolve }
}
