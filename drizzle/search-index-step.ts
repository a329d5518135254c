/**
 * One step of bringing the conversation search's indexes up to date, as plain statements on a SQLite
 * connection (better-sqlite3 or bun:sqlite): the messages after the index's mark and the contacts on
 * the pending list, up to `limit` of each. The caller runs it in a transaction: Loket's indexer in a
 * unit of the group commit (SearchIndexer.ts), the bench's durable floor and seeds in their own.
 */

/** A prepared statement of better-sqlite3 or bun:sqlite (both answer `changes`). */
export type RawStatement = { run(...params: Array<unknown>): { changes: number | bigint }; get(...params: Array<unknown>): unknown }

/** Whether anything waits to be added (read outside a transaction: an idle tick writes nothing). */
const WAITING = `select exists (select 1 from messages where seq > (select upto from search_progress where name = 'messages'))
  or exists (select 1 from contact_search_pending) as waiting`

const ADD = `insert into message_search(rowid, text, conversation_id)
  select seq, text, conversation_id from messages
  where seq > (select upto from search_progress where name = 'messages') order by seq limit ?`
const MOVE_MARK = `update search_progress set upto = coalesce(
    (select max(seq) from (select seq from messages where seq > search_progress.upto order by seq limit ?)), upto)
  where name = 'messages'`

const ADD_CONTACTS = `insert into contact_search(rowid, name, handle)
  select c.rowid, c.name, c.handle from contact_search_pending p join contacts c on c.rowid = p.contact_rowid
  order by p.contact_rowid limit ?`
const TAKE_PENDING = `delete from contact_search_pending where contact_rowid in
  (select contact_rowid from contact_search_pending order by contact_rowid limit ?)`

export interface SearchIndexStep {
  /** Whether a step would add anything. */
  readonly waiting: () => boolean
  /** Adds up to `limit` messages and `limit` contacts (inside the caller's transaction); answers the larger count. */
  readonly run: (limit: number) => number
}

export function makeSearchIndexStep(prepare: (sql: string) => RawStatement): SearchIndexStep {
  const waiting = prepare(WAITING)
  const add = prepare(ADD)
  const moveMark = prepare(MOVE_MARK)
  const addContacts = prepare(ADD_CONTACTS)
  const takePending = prepare(TAKE_PENDING)
  return {
    waiting: () => (waiting.get() as { waiting: number }).waiting !== 0,
    run: (limit) => {
      const added = Number(add.run(limit).changes)
      if (added > 0) moveMark.run(limit)
      // The same pending rows are read by both statements (nothing else runs in between): added, then taken off the list.
      const contacts = Number(addContacts.run(limit).changes)
      if (contacts > 0) takePending.run(limit)
      return Math.max(added, contacts)
    }
  }
}
