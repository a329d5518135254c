/**
 * The committed PostgreSQL migrations against a real server: a fresh database per run, created
 * here and dropped afterwards. The server is the tests' PostgreSQL (test/support/services.ts:
 * `LOKET_TEST_DATABASE_URL`, else the local one, else a throwaway one); the user needs CREATEDB.
 */
import { asc, eq, is, type Table } from "drizzle-orm"
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres"
import { migrate } from "drizzle-orm/node-postgres/migrator"
import { getTableConfig, PgTable } from "drizzle-orm/pg-core"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { postgresUrl } from "../test/support/services.ts"
import * as schema from "./schema.pg.ts"
import { agents, apiTokens, auditLog, cannedResponses, consoleSessions, contacts, conversations, inbox, messages, orphanStatuses, outbox, partitionFences, settings, signInFailures, teamMembers, teams, templates, timers, widgetCampaigns } from "./schema.pg.ts"

const serverUrl = postgresUrl()
const migrationsFolder = join(import.meta.dirname, "migrations-pg")
const dbName = `loket_test_migrations_pg_${process.pid}_${randomBytes(4).toString("hex")}`

let admin: pg.Client | undefined
let pool: pg.Pool | undefined
let db: NodePgDatabase<typeof schema>

beforeAll(async () => {
  const client = new pg.Client({ connectionString: serverUrl })
  try {
    await client.connect()
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${serverUrl} (set LOKET_TEST_DATABASE_URL): ${(e as Error).message}`)
  }
  admin = client
  await admin.query(`CREATE DATABASE "${dbName}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  pool = new pg.Pool({ connectionString: url.href, max: 2 })
  db = drizzle({ client: pool, schema })
  await migrate(db, { migrationsFolder })
})

afterAll(async () => {
  await pool?.end()
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
  await admin?.end()
})

const tables: Array<PgTable> = Object.values(schema as Record<string, unknown>).filter((value): value is PgTable => is(value, PgTable))

/** The database's own account of its tables, columns, indexes and foreign keys, one sorted line each. */
async function describeDatabase(): Promise<Array<string>> {
  const columns = await pool!.query<{ line: string }>(`
    SELECT format('%s.%s %s%s%s', table_name, column_name, data_type,
             CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END,
             CASE WHEN is_identity = 'YES' THEN ' identity ' || lower(identity_generation) ELSE '' END) AS line
    FROM information_schema.columns WHERE table_schema = 'public'`)
  const indexes = await pool!.query<{ line: string }>(`
    SELECT format('%s: index %s %s(%s)', t.relname, i.relname,
             CASE WHEN ix.indisprimary THEN 'primary ' WHEN ix.indisunique THEN 'unique ' ELSE '' END,
             (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)) AS line
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace
    WHERE ns.nspname = 'public'`)
  const foreignKeys = await pool!.query<{ line: string }>(`
    SELECT format('%s: foreign key %s', c.conrelid::regclass, c.conname) AS line
    FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
    WHERE ns.nspname = 'public' AND c.contype = 'f'`)
  return [...columns.rows, ...indexes.rows, ...foreignKeys.rows].map((r) => r.line).sort()
}

/** What `describeDatabase` should say, read from schema.pg.ts. */
function describeSchema(): Array<string> {
  const lines: Array<string> = []
  for (const table of tables) {
    const config = getTableConfig(table)
    const t = config.name
    for (const c of config.columns) {
      const identity = c.generatedIdentity === undefined ? "" : ` identity ${c.generatedIdentity.type === "always" ? "always" : "by default"}`
      lines.push(`${t}.${c.name} ${c.getSQLType()}${c.notNull ? " not null" : ""}${identity}`)
    }
    const primary = config.columns.filter((c) => c.primary).map((c) => c.name)
    if (primary.length > 0) lines.push(`${t}: index ${t}_pkey primary (${primary.join(", ")})`)
    for (const pk of config.primaryKeys) lines.push(`${t}: index ${pk.getName()} primary (${pk.columns.map((c) => c.name).join(", ")})`)
    for (const c of config.columns.filter((c) => c.isUnique)) lines.push(`${t}: index ${c.uniqueName} unique (${c.name})`)
    for (const i of config.indexes) {
      const cols = i.config.columns.map((c) => ("name" in c ? c.name : "<expression>")).join(", ")
      lines.push(`${t}: index ${i.config.name} ${i.config.unique ? "unique " : ""}(${cols})`)
    }
    for (const fk of config.foreignKeys) lines.push(`${t}: foreign key ${fk.getName()}`)
  }
  return lines.sort()
}

/** The PostgreSQL error under drizzle's DrizzleQueryError. */
function pgError(e: unknown): { code?: string; constraint?: string } {
  let error = e as { cause?: unknown; code?: string }
  while (error.code === undefined && error.cause !== undefined) error = error.cause as typeof error
  return error
}

const now = () => new Date().toISOString()
const unique = () => randomBytes(6).toString("hex")

async function aConversation() {
  const at = now()
  const [contact] = await db.insert(contacts).values({
    id: `con_${unique()}`, channel: "whatsapp", handle: "31612345678", waId: `316${unique()}`, userId: null, name: null,
    createdAt: at, updatedAt: at
  }).returning()
  const [conversation] = await db.insert(conversations).values({
    id: `conv_${unique()}`, channel: "whatsapp", channelAccountId: "pn_1", contactId: contact!.id, status: "open",
    createdAt: at, lastMessageAt: at
  }).returning()
  return conversation!
}

describe("PostgreSQL migrations", () => {
  it("create exactly the tables, columns, keys and indexes of schema.pg.ts", async () => {
    expect(await describeDatabase()).toEqual(describeSchema())
  })

  it("applied again change nothing", async () => {
    const count = async () => (await pool!.query<{ n: string }>("SELECT count(*) AS n FROM drizzle.__drizzle_migrations")).rows[0]!.n
    const before = { migrations: await count(), database: await describeDatabase() }
    await migrate(db, { migrationsFolder })
    expect({ migrations: await count(), database: await describeDatabase() }).toEqual(before)
  })

  it("store one row per table and read it back the same, JSON as values", async () => {
    const at = now()
    const contact: typeof contacts.$inferSelect = {
      id: `con_${unique()}`, channel: "whatsapp", handle: "31612345678", waId: "31612345678", userId: "NL.123", name: "Jan",
      createdAt: at, updatedAt: at, residentId: `res_${unique()}`
    }
    const conversation: typeof conversations.$inferSelect = {
      id: `conv_${unique()}`, channel: "whatsapp", channelAccountId: "pn_1", contactId: contact.id, status: "open",
      team: "burgerzaken", assignee: "piet", createdAt: at, lastMessageAt: at, windowExpiresAt: at, lastOutboundAt: at,
      windowWarnedFor: at, unreadCount: 3, personalDataWarnedAt: at, waitingSince: at, autoRepliedFor: at
    }
    const message: Omit<typeof messages.$inferSelect, "seq"> = {
      id: `msg_${unique()}`, conversationId: conversation.id, direction: "inbound", type: "image",
      dedupeKey: `whatsapp:msg:${unique()}`, providerMessageId: `wamid.${unique()}`, createdAt: at, status: "received",
      text: "Goedemorgen ✓ 👋", replyTo: null,
      content: { media: { id: "m1", mimeType: "image/jpeg", sha256: "abc" }, caption: null, sizes: [1, 2.5, -3], ok: true },
      error: { code: 131047, title: "Re-engagement message" }, flags: ["forwarded", "frequently_forwarded"],
      idempotencyKey: "idem-1", author: "agent-api"
    }
    const outboxRow: Omit<typeof outbox.$inferSelect, "seq"> = {
      messageId: message.id, conversationId: conversation.id, channel: "whatsapp", channelAccountId: "pn_1",
      contactId: contact.id, request: { to: "31612345678", type: "text", text: { body: "Hallo" } }, state: "pending",
      attempts: 2, notBefore: at, lastError: "timeout", createdAt: at, sentAt: null
    }
    const template: typeof templates.$inferSelect = {
      id: "tpl_1", accountId: `waba_${unique()}`, name: "afspraak", language: "nl", status: "APPROVED", category: "UTILITY",
      components: [{ type: "BODY", text: "Uw afspraak is op {{1}}" }], parameterCounts: { header: 0, body: 1, buttons: 0 },
      updatedAt: at
    }
    const inboxRow: Omit<typeof inbox.$inferSelect, "seq"> = {
      key: `whatsapp:msg:${unique()}`, channel: "whatsapp", kind: "message", payload: { from: "31612345678", nested: [{ a: null }] },
      receivedAt: at, state: "done", attempts: 1, lastError: null, processedAt: at
    }
    const orphan: typeof orphanStatuses.$inferSelect = {
      key: `status:${unique()}`, providerMessageId: `wamid.${unique()}`, status: "failed", timestamp: at,
      error: { code: "470", title: "Message failed" }
    }
    const agent: typeof agents.$inferSelect = {
      id: `agt_${unique()}`, email: `${unique()}@gemeente.nl`, name: "Fatima", role: "agent", passwordHash: "scrypt$32768$8$1$c2FsdA$aGFzaA",
      active: 1, createdAt: at, deactivatedAt: null
    }
    const team: typeof teams.$inferSelect = { id: `team_${unique()}`, name: `Parkeren ${unique()}`, createdAt: at }
    const member: typeof teamMembers.$inferSelect = { teamId: team.id, agentId: agent.id }
    const token: typeof apiTokens.$inferSelect = {
      id: `tok_${unique()}`, tokenHash: unique(), role: "agent", name: "balie", createdAt: at, origin: "api", agentId: agent.id, revokedAt: at
    }

    await db.insert(contacts).values(contact)
    await db.insert(conversations).values(conversation)
    const timer: typeof timers.$inferSelect = {
      id: `tmr_${unique()}`, conversationId: conversation.id, kind: "follow-up", dueAt: at, state: "pending", outcome: null, createdAt: at, settledAt: null
    }
    await db.insert(timers).values(timer)
    expect(await db.select().from(timers).where(eq(timers.id, timer.id))).toEqual([timer])
    const messageSeq = (await db.insert(messages).values(message).returning({ seq: messages.seq }))[0]!.seq
    const outboxSeq = (await db.insert(outbox).values(outboxRow).returning({ seq: outbox.seq }))[0]!.seq
    await db.insert(templates).values(template)
    const inboxSeq = (await db.insert(inbox).values(inboxRow).returning({ seq: inbox.seq }))[0]!.seq
    await db.insert(orphanStatuses).values(orphan)
    await db.insert(agents).values(agent)
    await db.insert(teams).values(team)
    await db.insert(teamMembers).values(member)
    await db.insert(apiTokens).values(token)
    const fence: typeof partitionFences.$inferSelect = { partition: 3, token: 2 ** 40 }
    await db.insert(partitionFences).values(fence)
    const campaign: typeof widgetCampaigns.$inferSelect = {
      id: `poster-${unique()}`, name: "Poster stadhuis", text: "Vraag via de poster", scans: 2 ** 31 - 1, lastScanAt: now(), managedQrCode: "ANED2T5QRU7HG1", managedQrLink: "https://wa.me/message/ANED2T5QRU7HG1", createdAt: now(), updatedAt: now()
    }
    await db.insert(widgetCampaigns).values(campaign)

    for (const seq of [messageSeq, outboxSeq, inboxSeq]) expect(typeof seq === "number" && seq > 0).toBe(true)
    expect(await db.select().from(contacts).where(eq(contacts.id, contact.id))).toEqual([contact])
    expect(await db.select().from(conversations).where(eq(conversations.id, conversation.id))).toEqual([conversation])
    expect(await db.select().from(messages).where(eq(messages.id, message.id))).toEqual([{ ...message, seq: messageSeq }])
    expect(await db.select().from(outbox).where(eq(outbox.seq, outboxSeq))).toEqual([{ ...outboxRow, seq: outboxSeq }])
    expect(await db.select().from(templates).where(eq(templates.accountId, template.accountId))).toEqual([template])
    expect(await db.select().from(inbox).where(eq(inbox.seq, inboxSeq))).toEqual([{ ...inboxRow, seq: inboxSeq }])
    expect(await db.select().from(orphanStatuses).where(eq(orphanStatuses.key, orphan.key))).toEqual([orphan])
    expect(await db.select().from(apiTokens).where(eq(apiTokens.id, token.id))).toEqual([token])
    expect(await db.select().from(agents).where(eq(agents.id, agent.id))).toEqual([agent])
    expect(await db.select().from(teams).where(eq(teams.id, team.id))).toEqual([team])
    expect(await db.select().from(teamMembers).where(eq(teamMembers.agentId, agent.id))).toEqual([member])
    expect(await db.select().from(partitionFences).where(eq(partitionFences.partition, 3))).toEqual([fence])
    expect(await db.select().from(widgetCampaigns).where(eq(widgetCampaigns.id, campaign.id))).toEqual([campaign])

    const settingsRow: typeof settings.$inferSelect = {
      id: "current", document: { language: "en", officeHours: { weekly: { monday: [{ open: "08:30", close: "12:00" }] } } }, version: 3,
      updatedAt: at, updatedBy: "LOKET_ADMIN_TOKEN"
    }
    const auditRow: typeof auditLog.$inferSelect = {
      id: `aud_${unique()}`, at, actorKind: "token", actorId: "tok_1", actorName: "beheer", action: "settings.update", target: "settings",
      before: { language: "nl" }, after: null
    }
    await db.insert(settings).values(settingsRow)
    await db.insert(auditLog).values(auditRow)
    expect(await db.select().from(settings).where(eq(settings.id, "current"))).toEqual([settingsRow])
    expect(await db.select().from(auditLog).where(eq(auditLog.id, auditRow.id))).toEqual([auditRow])

    const session: typeof consoleSessions.$inferSelect = {
      id: `ses_${unique()}`, secretHash: `hash-${unique()}`, agentId: agent.id, createdAt: at, lastSeenAt: at, expiresAt: at, endedAt: null
    }
    await db.insert(consoleSessions).values(session)
    expect(await db.select().from(consoleSessions).where(eq(consoleSessions.id, session.id))).toEqual([session])
    const failure: typeof signInFailures.$inferSelect = { id: `sif_${unique()}`, keyHash: "x9Gq", failedAt: now() }
    await db.insert(signInFailures).values(failure)
    expect(await db.select().from(signInFailures).where(eq(signInFailures.id, failure.id))).toEqual([failure])

    const canned: typeof cannedResponses.$inferSelect = {
      id: `cr_${unique()}`, shortcut: `/afval-${unique()}`, title: "Afval", text: "Beste {{name}}, ✓", language: "nl", createdAt: at, updatedAt: at
    }
    await db.insert(cannedResponses).values(canned)
    expect(await db.select().from(cannedResponses).where(eq(cannedResponses.id, canned.id))).toEqual([canned])
  })

  it("fill in the defaults schema.ts fills in", async () => {
    const conversation = await aConversation()
    const [row] = await db.insert(messages).values({
      id: `msg_${unique()}`, conversationId: conversation.id, direction: "outbound", type: "text", createdAt: now(), status: "queued"
    }).returning()
    expect(row).toMatchObject({ content: {}, flags: [], error: null, dedupeKey: null })
    // A not-null JSON column refuses SQL NULL, as in SQLite.
    const error = await db.insert(inbox).values({ key: unique(), channel: "whatsapp", kind: "message", payload: null, receivedAt: now(), state: "pending" })
      .then(() => undefined, pgError)
    expect(error).toMatchObject({ code: "23502" })
  })

  it("number seq in insertion order", async () => {
    const keys = Array.from({ length: 5 }, () => `order:${unique()}`)
    const seqs: Array<number> = []
    for (const key of keys) {
      const [row] = await db.insert(inbox).values({ key, channel: "whatsapp", kind: "message", payload: {}, receivedAt: now(), state: "pending" })
        .returning({ seq: inbox.seq })
      seqs.push(row!.seq)
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    const read = await db.select({ key: inbox.key }).from(inbox).orderBy(asc(inbox.seq))
    expect(read.map((r) => r.key).filter((k) => keys.includes(k))).toEqual(keys)
  })

  it("reject a second message with the same dedupe key", async () => {
    const conversation = await aConversation()
    const dedupeKey = `whatsapp:msg:${unique()}`
    const row = { conversationId: conversation.id, direction: "inbound" as const, type: "text", dedupeKey, createdAt: now(), status: "received" }
    await db.insert(messages).values({ ...row, id: `msg_${unique()}` })
    const error = await db.insert(messages).values({ ...row, id: `msg_${unique()}` }).then(() => undefined, pgError)
    expect(error).toMatchObject({ code: "23505", constraint: "messages_dedupe_key_unique" })
  })

  it("let NULLs repeat in unique column sets, as SQLite does", async () => {
    const conversation = await aConversation()
    for (let i = 0; i < 2; i++) {
      await db.insert(messages).values({
        id: `msg_${unique()}`, conversationId: conversation.id, direction: "outbound", type: "text", createdAt: now(), status: "queued",
        dedupeKey: null, idempotencyKey: null
      })
      await db.insert(contacts).values({ id: `con_${unique()}`, channel: "sms", handle: unique(), waId: null, userId: null, createdAt: now(), updatedAt: now() })
    }
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toHaveLength(2)
  })

  it("answer onConflictDoNothing as the SQLite code uses it", async () => {
    // actors/Inbox.ts: inbox by key, returning the new seq.
    const key = `whatsapp:msg:${unique()}`
    const job = { key, channel: "whatsapp", kind: "message", payload: { n: 1 }, receivedAt: now(), state: "pending" as const }
    const first = await db.insert(inbox).values(job).onConflictDoNothing({ target: inbox.key }).returning({ seq: inbox.seq })
    const again = await db.insert(inbox).values({ ...job, payload: { n: 2 } }).onConflictDoNothing({ target: inbox.key }).returning({ seq: inbox.seq })
    expect(first).toHaveLength(1)
    expect(again).toEqual([])
    expect(await db.select({ payload: inbox.payload }).from(inbox).where(eq(inbox.key, key))).toEqual([{ payload: { n: 1 } }])

    // actors/conversation/ConversationStore.ts: messages by dedupe key, returning the new seq.
    const conversation = await aConversation()
    const message = { conversationId: conversation.id, direction: "inbound" as const, type: "text", dedupeKey: `whatsapp:msg:${unique()}`, createdAt: now(), status: "received" }
    const inserted = await db.insert(messages).values({ ...message, id: `msg_${unique()}` })
      .onConflictDoNothing({ target: messages.dedupeKey }).returning({ seq: messages.seq })
    const duplicate = await db.insert(messages).values({ ...message, id: `msg_${unique()}` })
      .onConflictDoNothing({ target: messages.dedupeKey }).returning({ seq: messages.seq })
    expect(inserted).toHaveLength(1)
    expect(duplicate).toEqual([])

    // Without a target: orphan statuses by key, templates by (account, name, language), API tokens by hash.
    const orphan = { key: `status:${unique()}`, providerMessageId: "wamid.x", status: "sent", timestamp: now(), error: null }
    await db.insert(orphanStatuses).values(orphan).onConflictDoNothing()
    await db.insert(orphanStatuses).values({ ...orphan, status: "read" }).onConflictDoNothing()
    expect(await db.select({ status: orphanStatuses.status }).from(orphanStatuses).where(eq(orphanStatuses.key, orphan.key))).toEqual([{ status: "sent" }])

    const template = { id: "t1", accountId: `waba_${unique()}`, name: "welkom", language: "nl", status: "APPROVED", updatedAt: now() }
    await db.insert(templates).values(template).onConflictDoNothing()
    await db.insert(templates).values({ ...template, id: "t2" }).onConflictDoNothing()
    expect(await db.select({ id: templates.id }).from(templates).where(eq(templates.accountId, template.accountId))).toEqual([{ id: "t1" }])

    const tokenHash = unique()
    const token = { tokenHash, role: "admin" as const, name: "env", createdAt: now() }
    await db.insert(apiTokens).values({ ...token, id: `tok_${unique()}` }).onConflictDoNothing()
    await db.insert(apiTokens).values({ ...token, id: `tok_${unique()}` }).onConflictDoNothing()
    expect(await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash))).toHaveLength(1)
  })
})

// Every table of schema.pg.ts gets a row in the round-trip test above.
it("round-trip covers every table", () => {
  const covered: Array<Table> = [contacts, conversations, messages, outbox, templates, inbox, orphanStatuses, apiTokens, partitionFences, settings, auditLog, agents, teams, teamMembers, widgetCampaigns, cannedResponses, timers, consoleSessions, signInFailures]
  expect(new Set(tables)).toEqual(new Set(covered))
})
