/**
 * The baseline server for the ingest benchmark, run as a child process: a bare Hono app on
 * @hono/node-server whose POST handler only reads the body and answers 200. PORT from the env.
 */
import { serve } from "@hono/node-server"
import { Hono } from "hono"

const app = new Hono().post("/webhooks/whatsapp", async (c) => {
  await c.req.arrayBuffer()
  return c.json({ status: "ok" })
})

const port = Number(process.env.PORT ?? 0)
const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) => {
  console.log(`bare hono listening on http://127.0.0.1:${info.port}`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
