/**
 * Keeps the conversation list's text search (the FTS5 trigram indexes `message_search` and
 * `contact_search`, migrations/0007_search.sql) up with the messages and contacts, in batches a
 * moment after they are written.
 *
 * A trigger per inserted message made FTS5 flush its pending terms at every statement's savepoint:
 * about 200 µs of each webhook's transaction, on the one event loop, against about 25 µs a
 * message when a few hundred are added at once (`npx tsx test/bench/search-index-cost.ts`).
 * `search_progress.upto` (migrations/0013_search_behind.sql) is the last message in the index;
 * new contacts wait in `contact_search_pending` (0014; a trigger per contact cost about 40 µs, and
 * a campaign can bring many new residents at once). The search reads the messages after the mark
 * and the pending contacts directly (gateway/api/conversations/queries.ts), so both are found from
 * the moment they are committed, whether or not this has run yet.
 *
 * It runs SEARCH_INDEX_EVERY after a commit (sqlite.ts), not on a fixed beat. Each step is one unit
 * of the turn's transaction (GroupCommit.ts): the rows it adds and the mark move together, or neither;
 * nothing waiting, no step (an idle gateway writes nothing). A step adds at most STEP messages (a few milliseconds of the event
 * loop), and a tick at most STEPS_PER_TICK steps, so catching up after a burst never holds the loop long.
 */
import { Effect } from "effect"
import type { DatabaseShape } from "./Database.ts"
import { makeSearchIndexStep, type RawStatement } from "./search-index-step.ts"

/** How long after a commit the index is brought up to date (timed by Effect's Clock; sqlite.ts). */
export const SEARCH_INDEX_EVERY = "250 millis"
/** Messages added to the index in one unit. */
export const STEP = 500
/** Steps in one tick at most (a tick's own commit brings the next): 8,000 messages a second, far above what one gateway ingests. */
export const STEPS_PER_TICK = 4

/** One tick's work: adds up to STEPS_PER_TICK × STEP messages and as many contacts to the index; answers how many rows it added. */
export function makeSearchIndexer(database: DatabaseShape, prepare: (sql: string) => RawStatement) {
  const statements = makeSearchIndexStep(prepare)
  const step = database.transaction(Effect.sync(() => statements.run(STEP)))
  const tick = Effect.gen(function*() {
    let total = 0
    for (let i = 0; i < STEPS_PER_TICK; i++) {
      if (!statements.waiting()) break
      const added = yield* step
      total += added
      if (added < STEP) break
      yield* Effect.yieldNow
    }
    return total
  })
  return { tick, step }
}
