/**
 * Node entry: `npm start`. Reads the environment, opens the database (migrations applied),
 * starts the actors and serves the gateway with @hono/node-server.
 */
import { serve } from "@hono/node-server"
import { startGateway } from "./start.ts"

startGateway({
  serve: (app, { port, hostname }) => {
    const server = serve({ fetch: app.fetch, port, hostname })
    return () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
})
