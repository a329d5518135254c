/**
 * The Settings service on a real SQLite file, time moved with TestClock: a change written
 * without a ring (another instance whose ring got lost) reaches `current` by the periodic
 * version check, not before.
 */
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { LoketConfig } from "../../config/Config.ts"
import { Database } from "../../drizzle/Database.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import { tempDir } from "../../test/support/gateway.ts"
import { Audit } from "../audit/Audit.ts"
import { Templates, TemplateSourceRef } from "../templates/Templates.ts"
import { Settings } from "./Settings.ts"
import { SettingsBell } from "./SettingsBell.ts"

function settingsOnFile(file: string) {
  const config = LoketConfig.fromEnv({ DATABASE_URL: `file:${file}`, LOKET_TIMEZONE: "Europe/Brussels" })
  const database = sqliteNodeLayer(`file:${file}`, { synchronous: "NORMAL" })
  const base = Layer.mergeAll(config, database, Layer.succeed(TemplateSourceRef, undefined), SettingsBell.local)
  const templates = Templates.layer.pipe(Layer.provideMerge(base))
  return Settings.layer.pipe(Layer.provideMerge(Audit.layer.pipe(Layer.provideMerge(templates))))
}

/** Lets forked fibers run until `done` holds, at most `rounds` times. */
const settle = <A>(read: Effect.Effect<A>, done: (a: A) => boolean, rounds = 200) =>
  Effect.gen(function*() {
    let value = yield* read
    for (let i = 0; i < rounds && !done(value); i++) {
      yield* Effect.sleep(0)
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      value = yield* read
    }
    return value
  })

describe("Settings", () => {
  it("starts from the defaults in LOKET_TIMEZONE, and picks up a change written without a ring at the next version check", async () => {
    const file = join(tempDir(), "loket.db")
    const program = Effect.gen(function*() {
      const settings = yield* Settings
      const database = yield* Database
      expect((yield* settings.current).officeHours.timezone).toBe("Europe/Brussels")
      expect((yield* settings.state).version).toBe(0)

      // Another instance's write, with no ring to tell this one.
      yield* database.run((db, t) => db.insert(t.settings).values({ id: "current", document: { language: "en" }, version: 1, updatedAt: new Date().toISOString(), updatedBy: "elsewhere" }))
      yield* database.committed()

      yield* TestClock.adjust("4 seconds")
      expect((yield* settle(settings.current, (s) => s.language === "en", 20)).language).toBe("nl")

      yield* TestClock.adjust("1 second")
      const after = yield* settle(settings.current, (s) => s.language === "en")
      expect(after.language).toBe("en")
      expect(after.autoReplies.outOfHours.text).toMatch(/closed/)
      expect((yield* settings.state).version).toBe(1)

      // A change through the service is in `current` at once, with its audit entry.
      yield* settings.patch({ access: "team" }, { kind: "loket", id: "test", name: "test" })
      expect((yield* settings.current).access).toBe("team")
      const audit = yield* (yield* Audit).list({ limit: 10 })
      expect(audit.items.map((e) => [e.action, (e.before as { access: string }).access, (e.after as { access: string }).access])).toEqual([["settings.update", "all", "team"]])
    })
    await Effect.runPromise(program.pipe(Effect.provide(settingsOnFile(file)), Effect.provide(TestClock.layer()), Effect.scoped))
  })
})
