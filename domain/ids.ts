/**
 * Branded ids: opaque strings that cannot be mixed up with one another.
 */
import { randomFillSync } from "node:crypto"
import { Schema } from "effect"

export const ConversationId = Schema.String.pipe(Schema.brand("ConversationId"))
export type ConversationId = typeof ConversationId.Type

export const MessageId = Schema.String.pipe(Schema.brand("MessageId"))
export type MessageId = typeof MessageId.Type

export const ContactId = Schema.String.pipe(Schema.brand("ContactId"))
export type ContactId = typeof ContactId.Type

/**
 * A sortable, unique id: 10 characters of time (base 32, milliseconds) and 16 of randomness.
 * Ids stay opaque to callers; sortability only helps humans reading logs and the database.
 */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
export function newId<B extends string>(prefix: string): string & { readonly __brand?: B } {
  let time = Date.now()
  let head = ""
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head
    time = Math.floor(time / 32)
  }
  let tail = ""
  for (let i = 0; i < 16; i++) tail += ALPHABET[nextRandomByte() % 32]
  return `${prefix}_${head}${tail}`
}

/** Random bytes drawn from a pool refilled 4 KiB at a time: one system call per 256 ids, not one per id. */
const pool = Buffer.alloc(4096)
let poolAt = pool.length
function nextRandomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  return pool[poolAt++]!
}

export const newConversationId = (): ConversationId => newId("cnv") as ConversationId
export const newMessageId = (): MessageId => newId("msg") as MessageId
export const newContactId = (): ContactId => newId("ctc") as ContactId
