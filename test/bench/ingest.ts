/**
 * What the ingest benchmarks send and how they know it is done: signed webhook bodies built
 * with the adapter's fixtures (precomputed before timing), and a read-only look at the
 * gateway's SQLite file to see when the messages are committed in the `messages` table.
 */
import BetterSqlite from "better-sqlite3"
import { APP_SECRET } from "../support/gateway.ts"
import { fixtures } from "../support/whatsapp.ts"
import type { Prepared } from "./load.ts"

const QUESTION = "Goedemiddag, wanneer wordt het grofvuil in onze straat opgehaald? Ik heb een oude bank en twee matrassen."

export const waIdOf = (n: number) => `316${String(n).padStart(8, "0")}`

/** A signed body, ready to send. */
export function prepare(body: unknown): Prepared {
  const raw = JSON.stringify(body)
  return {
    body: Buffer.from(raw, "utf8"),
    headers: { "content-type": "application/json", "x-hub-signature-256": fixtures.sign(raw, APP_SECRET) }
  }
}

/** `count` webhooks of one text message each, from `count` residents (ids from `firstResident`). */
export function singleMessageWebhooks(count: number, firstResident: number): Array<Prepared> {
  const out: Array<Prepared> = []
  for (let i = 0; i < count; i++) {
    const waId = waIdOf(firstResident + i)
    out.push(prepare(fixtures.webhookBody({
      contacts: [fixtures.contact({ waId, name: `Inwoner ${firstResident + i}` })],
      messages: [fixtures.textMessage({ from: waId, body: `${QUESTION} (${i})` })]
    })))
  }
  return out
}

/**
 * `messages` text messages from `residents` residents, `perWebhook` to a webhook (as Meta
 * batches them); message k comes from resident k mod `residents`.
 */
export function batchedWebhooks(messages: number, residents: number, perWebhook: number, firstResident: number, timestamp?: number): Array<Prepared> {
  const out: Array<Prepared> = []
  for (let k = 0; k < messages; k += perWebhook) {
    const contacts: Array<fixtures.Json> = []
    const items: Array<fixtures.Json> = []
    for (let j = k; j < Math.min(messages, k + perWebhook); j++) {
      const r = firstResident + (j % residents)
      const waId = waIdOf(r)
      contacts.push(fixtures.contact({ waId, name: `Inwoner ${r}` }))
      items.push(fixtures.textMessage({ from: waId, body: `${QUESTION} (${j})`, ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }) }))
    }
    out.push(prepare(fixtures.webhookBody({ contacts, messages: items })))
  }
  return out
}

/** One webhook of `messages` messages from as many residents, padded to about `targetBytes`. */
export function bigBatch(messages: number, targetBytes: number, firstResident: number): Prepared {
  const build = (textLength: number) => {
    const contacts: Array<fixtures.Json> = []
    const items: Array<fixtures.Json> = []
    for (let i = 0; i < messages; i++) {
      const waId = waIdOf(firstResident + i)
      contacts.push(fixtures.contact({ waId, name: `Inwoner ${firstResident + i}` }))
      const text = `${i} ${QUESTION} `.repeat(Math.ceil(textLength / QUESTION.length)).slice(0, textLength)
      items.push(fixtures.textMessage({ from: waId, body: text }))
    }
    return fixtures.webhookBody({ contacts, messages: items })
  }
  const probe = JSON.stringify(build(0)).length
  const textLength = Math.max(0, Math.floor((targetBytes - probe) / messages))
  return prepare(build(textLength))
}

/** Counts rows in the gateway's SQLite file through a read-only connection. */
export function openCounter(dbPath: string) {
  const db = new BetterSqlite(dbPath, { readonly: true, fileMustExist: true })
  // The residents' messages only: Loket's own replies (the playbook's, at night) are not ingest.
  const messages = db.prepare("select count(*) as n from messages where direction = 'inbound'")
  const inbox = db.prepare("select state, count(*) as n from inbox group by state")
  const count = () => (messages.get() as { n: number }).n
  const inboxStates = () => Object.fromEntries((inbox.all() as Array<{ state: string; n: number }>).map((r) => [r.state, r.n]))
  return {
    count,
    inboxStates,
    /** Polls every `everyMs` until `target` rows are there; resolves with the time it happened (performance.now) or undefined on timeout. */
    waitFor: async (target: number, timeoutMs: number, everyMs = 10): Promise<number | undefined> => {
      const start = performance.now()
      let reported = start
      while (performance.now() - start < timeoutMs) {
        if (count() >= target) return performance.now()
        await new Promise((r) => setTimeout(r, everyMs))
        if (performance.now() - reported > 10_000) {
          reported = performance.now()
          console.log(`  … still waiting: ${count()} of ${target} messages committed; inbox ${JSON.stringify(inboxStates())}`)
        }
      }
      return count() >= target ? performance.now() : undefined
    },
    close: () => db.close()
  }
}

/** `count` webhooks of one text message each from as many residents, texts taken in turn from `texts`. */
export function textWebhooks(texts: ReadonlyArray<string>, count: number, firstResident: number): Array<Prepared> {
  const out: Array<Prepared> = []
  for (let i = 0; i < count; i++) {
    const waId = waIdOf(firstResident + i)
    out.push(prepare(fixtures.webhookBody({
      contacts: [fixtures.contact({ waId, name: `Inwoner ${firstResident + i}` })],
      messages: [fixtures.textMessage({ from: waId, body: `${texts[i % texts.length]!} (${i})` })]
    })))
  }
  return out
}
