/**
 * The SQLite schema (`schema.ts`) and the PostgreSQL one (`schema.pg.ts`) describe the same
 * tables: a change to one alone fails here, naming the table and column; a schema change
 * without its generated migration fails here too.
 * The type-level half (`expectTypeOf`) is checked by `tsc` (`npm run typecheck`), not at run time.
 */
import { generateDrizzleJson, generateMigration, generateSQLiteDrizzleJson, generateSQLiteMigration } from "drizzle-kit/api"
import { type Column, getTableColumns, is, SQL, type Table } from "drizzle-orm"
import { getTableConfig as pgTableConfig, PgDialect, PgTable } from "drizzle-orm/pg-core"
import { getTableConfig as sqliteTableConfig, SQLiteSyncDialect, SQLiteTable } from "drizzle-orm/sqlite-core"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, expectTypeOf, it } from "vitest"
import * as pg from "./schema.pg.ts"
import * as sqlite from "./schema.ts"

// ---- types: the application sees the same rows whichever dialect it runs on ----

type Tables<S> = { [K in keyof S as S[K] extends Table ? K : never]: S[K] }
type Selects<S> = { [K in keyof Tables<S>]: Tables<S>[K] extends Table ? Tables<S>[K]["$inferSelect"] : never }
type Inserts<S> = { [K in keyof Tables<S>]: Tables<S>[K] extends Table ? Tables<S>[K]["$inferInsert"] : never }

describe("row types", () => {
  it("select and insert rows are the same type in both dialects (checked by tsc)", () => {
    expectTypeOf<Selects<typeof pg>>().toEqualTypeOf<Selects<typeof sqlite>>()
    expectTypeOf<Inserts<typeof pg>>().toEqualTypeOf<Inserts<typeof sqlite>>()
    expectTypeOf<pg.ContactRow>().toEqualTypeOf<sqlite.ContactRow>()
    expectTypeOf<pg.ConversationRow>().toEqualTypeOf<sqlite.ConversationRow>()
    expectTypeOf<pg.MessageRow>().toEqualTypeOf<sqlite.MessageRow>()
    expectTypeOf<pg.InboxRow>().toEqualTypeOf<sqlite.InboxRow>()
    expectTypeOf<pg.ApiTokenRow>().toEqualTypeOf<sqlite.ApiTokenRow>()
    expectTypeOf<pg.OutboxRow>().toEqualTypeOf<sqlite.OutboxRow>()
    expectTypeOf<pg.TemplateRow>().toEqualTypeOf<sqlite.TemplateRow>()
    expectTypeOf<pg.WidgetCampaignRow>().toEqualTypeOf<sqlite.WidgetCampaignRow>()
  })
})

// ---- structure: tables, columns, keys and indexes, dialect-neutral ----

type Dialect = "sqlite" | "pg"

interface ColumnShape {
  readonly key: string
  readonly dataType: string
  readonly notNull: boolean
  readonly primaryKey: boolean
  /** Filled in by the database: AUTOINCREMENT in SQLite, an identity in PostgreSQL. */
  readonly generated: boolean
  readonly default: string | undefined
  readonly defaultFn: boolean
  readonly enumValues: string | undefined
}

interface TableShape {
  readonly columns: ReadonlyMap<string, ColumnShape>
  readonly primaryKey: string
  /** Column sets that must be unique, whether by a column's `.unique()`, a unique constraint or a unique index. */
  readonly unique: ReadonlySet<string>
  /** Every index by name: `unique (a, b)` or `(a, b)`. */
  readonly indexes: ReadonlyMap<string, string>
  readonly foreignKeys: ReadonlySet<string>
}

const sqliteDialect = new SQLiteSyncDialect()
const pgDialect = new PgDialect()

/** A default as a comparable string: JSON of the value, with SQL literals read back (`'{}'`, `'{}'::jsonb`). */
function defaultOf(column: Column, dialect: Dialect): string | undefined {
  const value: unknown = column.default
  if (value === undefined) return undefined
  if (!is(value, SQL)) return JSON.stringify(value)
  const text = (dialect === "sqlite" ? sqliteDialect : pgDialect).sqlToQuery(value).sql
  const literal = /^'(.*)'(?:::[a-z]+)?$/s.exec(text)
  if (literal === null) return text
  const inner = literal[1]!.replaceAll("''", "'")
  return column.dataType === "json" ? JSON.stringify(JSON.parse(inner)) : JSON.stringify(inner)
}

const list = (columns: ReadonlyArray<{ readonly name?: string } | unknown>) =>
  columns.map((c) => (typeof c === "object" && c !== null && "name" in c ? String(c.name) : "<expression>"))
const set = (columns: ReadonlyArray<string>) => [...columns].sort().join(", ")

function shapeOf(table: Table, dialect: Dialect): TableShape {
  const config = dialect === "sqlite" ? sqliteTableConfig(table as SQLiteTable) : pgTableConfig(table as PgTable)
  const keys = new Map(Object.entries(getTableColumns(table)).map(([key, column]) => [column.name, key]))
  const columns = new Map<string, ColumnShape>()
  for (const c of config.columns) {
    columns.set(c.name, {
      key: keys.get(c.name) ?? "?",
      dataType: c.dataType,
      notNull: c.notNull,
      primaryKey: c.primary,
      generated: dialect === "sqlite" ? (c as unknown as { autoIncrement?: boolean }).autoIncrement === true : c.generatedIdentity !== undefined,
      default: defaultOf(c, dialect),
      defaultFn: c.defaultFn !== undefined,
      enumValues: c.enumValues?.join("|")
    })
  }
  const primaryKey = [
    ...config.columns.filter((c) => c.primary).map((c) => c.name),
    ...config.primaryKeys.flatMap((pk) => list(pk.columns))
  ]
  const unique = new Set<string>([
    ...config.columns.filter((c) => c.isUnique).map((c) => c.name),
    ...config.uniqueConstraints.map((u) => set(list(u.columns))),
    ...config.indexes.filter((i) => i.config.unique).map((i) => set(list(i.config.columns)))
  ])
  const indexes = new Map(config.indexes.map((i) =>
    [i.config.name ?? "<unnamed>", `${i.config.unique ? "unique " : ""}(${list(i.config.columns).join(", ")})`]
  ))
  const foreignKeys = new Set(config.foreignKeys.map((fk) => {
    const ref = fk.reference()
    const target = dialect === "sqlite" ? sqliteTableConfig(ref.foreignTable as SQLiteTable).name : pgTableConfig(ref.foreignTable as PgTable).name
    return `(${list(ref.columns).join(", ")}) → ${target}(${list(ref.foreignColumns).join(", ")})`
  }))
  return { columns, primaryKey: set(primaryKey), unique, indexes, foreignKeys }
}

/** Exported tables by SQL name. */
function tablesOf(module: Record<string, unknown>, dialect: Dialect): Map<string, { readonly exportName: string; readonly shape: TableShape }> {
  const tables = new Map<string, { exportName: string; shape: TableShape }>()
  for (const [exportName, value] of Object.entries(module)) {
    if (dialect === "sqlite" ? is(value, SQLiteTable) : is(value, PgTable)) {
      const table = value as Table
      const name = dialect === "sqlite" ? sqliteTableConfig(table as SQLiteTable).name : pgTableConfig(table as PgTable).name
      tables.set(name, { exportName, shape: shapeOf(table, dialect) })
    }
  }
  return tables
}

/** One line per difference, each naming the table (and column): empty when the schemas agree. */
function differences(a: TableShape, b: TableShape, table: string): Array<string> {
  const out: Array<string> = []
  for (const name of new Set([...a.columns.keys(), ...b.columns.keys()])) {
    const x = a.columns.get(name)
    const y = b.columns.get(name)
    if (x === undefined || y === undefined) {
      out.push(`${table}.${name}: only in ${x === undefined ? "pg" : "sqlite"}`)
      continue
    }
    for (const field of Object.keys(x) as Array<keyof ColumnShape>) {
      if (x[field] !== y[field]) out.push(`${table}.${name}: ${field} is ${String(x[field])} in sqlite, ${String(y[field])} in pg`)
    }
  }
  if (a.primaryKey !== b.primaryKey) out.push(`${table}: primary key (${a.primaryKey}) in sqlite, (${b.primaryKey}) in pg`)
  for (const cols of a.unique) if (!b.unique.has(cols)) out.push(`${table}: unique (${cols}) only in sqlite`)
  for (const cols of b.unique) if (!a.unique.has(cols)) out.push(`${table}: unique (${cols}) only in pg`)
  for (const name of new Set([...a.indexes.keys(), ...b.indexes.keys()])) {
    const x = a.indexes.get(name)
    const y = b.indexes.get(name)
    if (x !== y) out.push(`${table}: index ${name} is ${x ?? "missing"} in sqlite, ${y ?? "missing"} in pg`)
  }
  for (const fk of a.foreignKeys) if (!b.foreignKeys.has(fk)) out.push(`${table}: foreign key ${fk} only in sqlite`)
  for (const fk of b.foreignKeys) if (!a.foreignKeys.has(fk)) out.push(`${table}: foreign key ${fk} only in pg`)
  return out
}

describe("schema parity", () => {
  const sqliteTables = tablesOf(sqlite, "sqlite")
  const pgTables = tablesOf(pg, "pg")

  it("has the same tables under the same export names", () => {
    expect(sqliteTables.size).toBeGreaterThan(0)
    const names = (tables: typeof sqliteTables) => [...tables].map(([name, t]) => `${t.exportName} → ${name}`).sort()
    expect(names(pgTables)).toEqual(names(sqliteTables))
  })

  it.each([...sqliteTables.keys()])("%s: same columns, nullability, keys, unique sets and indexes", (name) => {
    const a = sqliteTables.get(name)!
    const b = pgTables.get(name)
    expect(b, `table ${name} is missing from schema.pg.ts`).toBeDefined()
    expect(differences(a.shape, b!.shape, name)).toEqual([])
  })
})

// ---- the committed migrations are generated from the schemas as they are now ----

interface Snapshot {
  readonly id: string
  readonly tables: Record<string, { readonly name: string; readonly columns: Record<string, unknown> }>
}

function lastSnapshot(folder: string): Snapshot {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: Array<{ idx: number }> }
  const last = journal.entries.at(-1)!
  return JSON.parse(readFileSync(join(folder, "meta", `${String(last.idx).padStart(4, "0")}_snapshot.json`), "utf8")) as Snapshot
}

/**
 * Tables and columns added or dropped since the snapshot. Checked before asking drizzle-kit for
 * the difference: with a column both added and dropped drizzle-kit would ask, interactively,
 * whether it is a rename.
 */
function namesChanged(prev: Snapshot, cur: Snapshot): Array<string> {
  const columns = (s: Snapshot) =>
    Object.values(s.tables).flatMap((t) => [`table ${t.name}`, ...Object.keys(t.columns).map((c) => `column ${t.name}.${c}`)])
  const before = new Set(columns(prev))
  const after = new Set(columns(cur))
  return [
    ...[...after].filter((n) => !before.has(n)).map((n) => `${n} has no migration yet`),
    ...[...before].filter((n) => !after.has(n)).map((n) => `${n} is gone from the schema but not from the migrations`)
  ]
}

describe("committed migrations", () => {
  const drizzleDir = import.meta.dirname

  it("drizzle/migrations-pg matches schema.pg.ts (else: npm run db:generate:pg)", async () => {
    const prev = lastSnapshot(join(drizzleDir, "migrations-pg"))
    const cur = generateDrizzleJson(pg, prev.id) as unknown as Snapshot
    expect(namesChanged(prev, cur)).toEqual([])
    expect(await generateMigration(prev as never, cur as never)).toEqual([])
  })

  it("drizzle/migrations matches schema.ts (else: npm run db:generate)", async () => {
    const prev = lastSnapshot(join(drizzleDir, "migrations"))
    const cur = await generateSQLiteDrizzleJson(sqlite, prev.id) as unknown as Snapshot
    expect(namesChanged(prev, cur)).toEqual([])
    expect(await generateSQLiteMigration(prev as never, cur as never)).toEqual([])
  })
})
