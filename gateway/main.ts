/**
 * Node entry: `npm start`. Reads the environment, opens the database (migrations applied),
 * starts the actors and serves the gateway with @hono/node-server.
 */
import type { Server } from "node:http"
import { serve } from "@hono/node-server"
import { startGateway } from "./start.ts"

/**
 * Stops accepting and waits for the requests in flight (at most `withinMs`); a keep-alive
 * connection is closed as soon as it is idle, and whatever is still open at the end is cut.
 */
function closeGracefully(server: Server, withinMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50)
    const cut = setTimeout(() => server.closeAllConnections(), withinMs)
    server.close(() => {
      clearInterval(idle)
      clearTimeout(cut)
      resolve()
    })
    server.closeIdleConnections()
  })
}

startGateway({
  serve: (app, { port, hostname }) =>
    new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname }, () =>
        resolve((withinMs) => closeGracefully(server as Server, withinMs)))
      server.once("error", reject)
    })
})
