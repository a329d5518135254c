import { defineConfig } from "drizzle-kit"

export default defineConfig({
  dialect: "postgresql",
  schema: "./drizzle/schema.pg.ts",
  out: "./drizzle/migrations-pg"
})
