/**
 * Node entry: `npm start`. Reads the environment, opens the database (migrations applied),
 * starts the actors and serves the gateway with @hono/node-server.
 */
import { serve } from "@hono/node-server"
import { startGateway } from "./start.ts"

startGateway({
  serve: (app, { port, hostname }) =>
    new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname }, () =>
        resolve(() => new Promise<void>((done) => server.close(() => done()))))
      server.once("error", reject)
    })
})
