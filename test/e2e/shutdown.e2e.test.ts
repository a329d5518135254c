/**
 * Issue 9, defect 4: with one SSE client connected (an agent's screen always holds one),
 * `npm start` ignored SIGTERM for minutes, and npm's shell left the gateway serving as an
 * orphan. Now, as the contract says: stop accepting, end every SSE stream, finish what is in
 * flight, exit 0 within 10 s — `npm start` and `npm run start:bun`, the signal sent to npm.
 */
import { join } from "node:path"
import { connect } from "node:net"
import Database from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, freePort, type Spawned, spawnListening, tempDir } from "../support/gateway.ts"
import { fixtures } from "../support/whatsapp.ts"

const running: Array<Spawned> = []
afterAll(() => {
  for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL")
})

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port })
    socket.once("connect", () => (socket.destroy(), resolve(false)))
    socket.once("error", () => resolve(true))
  })

function webhook(n: number) {
  const waId = `3162${String(n).padStart(7, "0")}`
  const message = fixtures.textMessage({ from: waId, body: `bericht ${n}`, timestamp: String(1_800_000_000 + n) })
  const raw = JSON.stringify(fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [message] }))
  return { raw, id: message.id as string }
}

for (const script of ["start", "start:bun"] as const) {
  describe(`npm ${script === "start" ? "start" : "run start:bun"} on SIGTERM`, () => {
    it("ends the SSE stream, finishes the webhooks in flight and exits 0 within 10 s, leaving nothing serving", async () => {
      const port = await freePort()
      const file = join(tempDir(), "loket.db")
      const env = {
        PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `file:${file}`, WHATSAPP_APP_SECRET: APP_SECRET,
        LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_SQLITE_SYNCHRONOUS: "NORMAL"
      }
      const npm = await spawnListening("npm", script === "start" ? ["start", "--silent"] : ["run", "start:bun", "--silent"], env, "Loket listening", script)
      running.push(npm)
      const base = `http://127.0.0.1:${port}`

      const sse = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(sse.status).toBe(200)
      const reader = sse.body!.getReader()
      const streamEnded = (async () => {
        for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return Date.now()
      })()

      // Webhooks in flight when the signal comes: each is answered, and every 200 is stored.
      const sent = Array.from({ length: 40 }, (_, n) => webhook(n))
      const answers = Promise.all(sent.map((s) =>
        fetch(`${base}/webhooks/whatsapp`, {
          method: "POST", body: s.raw,
          headers: { "content-type": "application/json", "x-hub-signature-256": fixtures.sign(s.raw, APP_SECRET) }
        }).then((res) => res.status, () => 0)))
      const signalled = Date.now()
      npm.child.kill("SIGTERM")
      await npm.exited
      const stopped = Date.now()

      expect(npm.child.exitCode, npm.output()).toBe(0)
      expect(stopped - signalled).toBeLessThan(10_000)
      expect(await streamEnded).toBeLessThanOrEqual(stopped + 1_000)
      expect(await refused(port)).toBe(true) // no orphan left serving
      expect(npm.output()).toMatch(/SIGTERM received, shutting down/)

      const statuses = await answers
      const db = new Database(file, { readonly: true })
      const stored = new Set((db.prepare("select provider_message_id as id from messages").all() as Array<{ id: string }>).map((r) => r.id))
      const inInbox = new Set((db.prepare("select key from inbox").all() as Array<{ key: string }>).map((r) => r.key))
      db.close()
      sent.forEach((s, i) => {
        if (statuses[i] === 200) expect(stored.has(s.id) || inInbox.has(`whatsapp:msg:${s.id}`), `acknowledged ${s.id}`).toBe(true)
        else expect([0, 503]).toContain(statuses[i])
      })
    })
  })
}
