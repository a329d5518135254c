/**
 * Issue 9, defect 2: a failed query's message carried its bound values (drizzle's
 * "Failed query … params: …", PostgreSQL's "invalid input syntax … \"316…\""), so residents'
 * numbers, names and texts reached logs and the parked list. Real queries fail here on both
 * dialects; what leaves the database layer names the statement, the table and the code only.
 */
import { Cause, Context, Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshPostgresDatabase } from "../test/support/services.ts"
import { Database, type DatabaseShape } from "./Database.ts"
import { describeStorageError } from "./errors.ts"
import { postgresLayer } from "./postgres.ts"
import { sqliteNodeLayer } from "./sqlite.ts"

const PHONE = "31612345678"
const NAME = "Fatima de Vries"
const at = new Date().toISOString()

const dialects: Array<{ name: string; open: () => Promise<{ database: DatabaseShape; close: () => Promise<void> }> }> = [
  {
    name: "SQLite",
    open: async () => {
      const scope = Effect.runSync(Scope.make())
      const database = Context.get(await Effect.runPromise(Layer.buildWithScope(sqliteNodeLayer(":memory:", { synchronous: "NORMAL" }), scope)), Database)
      return { database, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
    }
  },
  {
    name: "PostgreSQL",
    open: async () => {
      const fresh = await freshPostgresDatabase()
      const scope = Effect.runSync(Scope.make())
      const database = Context.get(await Effect.runPromise(Layer.buildWithScope(postgresLayer(fresh.url, { poolSize: 2 }), scope)), Database)
      return { database, close: async () => { await Effect.runPromise(Scope.close(scope, Exit.void)); await fresh.drop() } }
    }
  }
]

for (const dialect of dialects) {
  describe(`storage errors on ${dialect.name} carry no resident data`, () => {
    let database: DatabaseShape
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ database, close } = await dialect.open())
    })
    afterAll(() => close())

    const failure = async (effect: Effect.Effect<unknown, unknown>) => {
      const exit = await Effect.runPromiseExit(effect)
      if (Exit.isSuccess(exit)) throw new Error("expected the query to fail")
      return Cause.pretty(exit.cause)
    }
    const contact = (id: string) => ({ id, channel: "whatsapp", handle: PHONE, waId: PHONE, userId: null, name: NAME, createdAt: at, updatedAt: at })

    it("reduces a unique violation to the statement, the table and the code", async () => {
      await Effect.runPromise(database.transaction(database.run((db, t) => db.insert(t.contacts).values(contact("ct_1")))))
      const text = await failure(database.transaction(database.run((db, t) => db.insert(t.contacts).values(contact("ct_2")))))
      expect(text).not.toContain(PHONE)
      expect(text).not.toContain(NAME)
      expect(text).not.toContain("params")
      // SQLite's own message names the columns; PostgreSQL's fields name the table and constraint.
      expect(text).toMatch(dialect.name === "SQLite"
        ? /SQLITE_CONSTRAINT_UNIQUE UNIQUE constraint failed: contacts\.channel, contacts\.wa_id/
        : /insert on contacts failed: SQLSTATE 23505 unique_violation \(table contacts, constraint contacts_channel_wa_id\)/)
    })

    // SQLite stores any value in any column, so only PostgreSQL has such a message to test.
    if (dialect.name === "PostgreSQL") it("drops a value the server quotes in its own message", async () => {
      const row = { key: `whatsapp:msg:${PHONE}`, channel: "whatsapp", kind: "message", payload: { text: NAME }, receivedAt: at, state: "pending" as const, attempts: `${PHONE}x` as unknown as number }
      const text = await failure(database.transaction(database.run((db, t) => db.insert(t.inbox).values(row))))
      expect(text).not.toContain(PHONE)
      expect(text).not.toContain(NAME)
      expect(text).toMatch(/insert on inbox failed/)
    })

  })
}

describe("describeStorageError", () => {
  it("never echoes drizzle's params, whatever wraps them", () => {
    const wrapped = Object.assign(new Error(`Failed query: insert into "messages" ("text") values ($1)\nparams: Mijn BSN is 111222333`), {
      query: `insert into "messages" ("text") values ($1)`, params: ["Mijn BSN is 111222333"],
      cause: Object.assign(new Error("value too long for type character varying(5): \"Mijn BSN is 111222333\""), { code: "22001", table: "messages", column: "text" })
    })
    const text = describeStorageError("PostgreSQL", wrapped)
    expect(text).toBe("PostgreSQL: insert on messages failed: SQLSTATE 22001 string_data_right_truncation (table messages, column text)")
  })

  it("keeps a connection error's message, which names hosts, not residents", () => {
    expect(describeStorageError("PostgreSQL", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })))
      .toBe("PostgreSQL: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5432")
  })
})
