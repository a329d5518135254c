/// <reference types="bun-types" />
/**
 * Bun entry: `npm run start:bun`. The same gateway as on Node, served by Bun.serve, with
 * SQLite through bun:sqlite (same schema and migrations); PostgreSQL as on Node.
 */
import { sqliteBunLayer } from "../drizzle/sqlite-bun.ts"
import { databaseLayer } from "./Runtime.ts"
import { startGateway } from "./start.ts"

startGateway({
  serve: (app, { port, hostname }) => {
    // idleTimeout 0: the SSE stream stays open as long as the agent listens.
    const server = Bun.serve({ fetch: app.fetch, port, hostname, idleTimeout: 0 })
    // Stops accepting and waits for the requests in flight, then cuts what is still open after `withinMs`.
    return Promise.resolve(async (withinMs: number) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([server.stop(false), new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))])
      clearTimeout(timer)
      await server.stop(true)
    })
  },
  database: (config) =>
    config.databaseUrl.startsWith("postgres") ? databaseLayer(config) : sqliteBunLayer(config.databaseUrl, { synchronous: config.sqliteSync })
})
