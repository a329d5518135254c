/**
 * How long Loket keeps what it keeps (docs/retention.md gives the reasons). Messages are kept
 * until the municipality sets `retention.messagesDays`; everything here is Loket's own
 * bookkeeping, with residents' data in it, kept only as long as it serves.
 */
import { RETENTION_DAYS as DONE_INBOX_DAYS } from "../Inbox.ts"

export const RETENTION = {
  /** Handled inbox rows (embedded mode): Meta redelivers for up to 7 days; the key absorbs that. */
  doneInboxDays: DONE_INBOX_DAYS,
  /** Statuses of messages not known (yet): a send's answer comes within seconds, a redelivery within 7 days. */
  orphanStatusesDays: 8,
  /** Outbox rows settled as sent or failed: the request as it went to Meta, for looking into a failure. */
  settledOutboxDays: 30,
  /** Parked inbox rows: a quarter for a person to look, mend and retry; the raw payload holds residents' data. */
  parkedDays: 90
} as const

/** Rows deleted per transaction: SQLite has one writer, and webhooks wait while it is busy. */
export const PRUNE_BATCH = 500

/** How often the retention job runs (on the leader only). */
export const PRUNE_EVERY = "1 hour"

export const DAY_MS = 86_400_000
