/**
 * Keeps the conversation list's text search (the FTS5 trigram index `message_search`,
 * migrations/0007_search.sql) up with the messages, in batches a moment after they are written.
 *
 * A trigger per inserted message made FTS5 flush its pending terms at every statement's savepoint:
 * about 200 µs of each webhook's transaction, on the one event loop, against about 25 µs a
 * message when a few hundred are added at once (`npx tsx test/bench/search-index-cost.ts`).
 * `search_progress.upto` (migrations/0013_search_behind.sql) is the last message in the index;
 * the search reads the messages after it directly (gateway/api/conversations/queries.ts), so a
 * message is found from the moment it is committed, whether or not this has run yet.
 *
 * Each step is one unit of the turn's transaction (GroupCommit.ts): the rows it adds and the mark
 * move together, or neither. A step adds at most STEP messages (a few milliseconds of the event
 * loop), and a tick at most STEPS_PER_TICK steps, so catching up after a burst never holds the loop long.
 */
import { Effect } from "effect"
import type { DatabaseShape } from "./Database.ts"

/** How often the index is brought up to date (timed by Effect's Clock). */
export const SEARCH_INDEX_EVERY = "250 millis"
/** Messages added to the index in one unit. */
export const STEP = 500
/** Steps in one tick at most: 8,000 messages a second, far above what one gateway ingests. */
export const STEPS_PER_TICK = 4

/** A statement on the database's own connection (better-sqlite3 and bun:sqlite both answer `changes`). */
export type RawStatement = { run(...params: Array<unknown>): { changes: number | bigint } }

const ADD = `insert into message_search(rowid, text, conversation_id)
  select seq, text, conversation_id from messages
  where seq > (select upto from search_progress where name = 'messages') order by seq limit ?`
const MOVE_MARK = `update search_progress set upto = coalesce(
    (select max(seq) from (select seq from messages where seq > search_progress.upto order by seq limit ?)), upto)
  where name = 'messages'`

/** One tick's work: adds up to STEPS_PER_TICK × STEP messages to the index; answers how many it added. */
export function makeSearchIndexer(database: DatabaseShape, prepare: (sql: string) => RawStatement) {
  const add = prepare(ADD)
  const moveMark = prepare(MOVE_MARK)
  const step = database.transaction(Effect.sync(() => {
    const added = Number(add.run(STEP).changes)
    if (added > 0) moveMark.run(STEP)
    return added
  }))
  const tick = Effect.gen(function*() {
    let total = 0
    for (let i = 0; i < STEPS_PER_TICK; i++) {
      const added = yield* step
      total += added
      if (added < STEP) break
      yield* Effect.yieldNow
    }
    return total
  })
  return { tick, step }
}
