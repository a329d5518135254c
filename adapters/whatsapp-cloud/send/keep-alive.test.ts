/** The keep-alive JSON POST over a real socket: what reaches the server is an ordinary HTTP/1.1 request. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { makePostJson } from "./keep-alive.ts"

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function startServer() {
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = []
  server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
      res.writeHead(200, { "content-type": "application/json", "retry-after": "3" }).end(JSON.stringify({ messages: [{ id: "wamid.1" }] }))
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

describe("makePostJson", () => {
  it("sends the path under the origin, the Host, the caller's headers and the body's byte length, and reads the JSON answer", async () => {
    const { origin, seen } = await startServer()
    const client = makePostJson(origin)
    try {
      const body = JSON.stringify({ text: "Goedemiddag, één vraag" })
      const answer = await client.post("message", `${origin}/v23.0/1065/messages?x=1`, { authorization: "Bearer t", "content-type": "application/json" }, body, 5_000, 1024)
      expect(answer).toEqual({ status: 200, retryAfter: "3", body: { messages: [{ id: "wamid.1" }] } })
      // a second send on the same keep-alive connection
      await client.post("message", `${origin}/v23.0/1065/messages`, { authorization: "Bearer t" }, "{}", 5_000, 1024)
      expect(seen.map((s) => [s.method, s.url])).toEqual([["POST", "/v23.0/1065/messages?x=1"], ["POST", "/v23.0/1065/messages"]])
      expect(seen[0]!.headers).toMatchObject({
        host: origin.replace("http://", ""), authorization: "Bearer t", "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)), connection: "keep-alive"
      })
      expect(seen[0]!.body).toBe(body)
    } finally {
      client.close()
    }
  })

  it("refuses a URL of another origin without sending it", async () => {
    const { origin, seen } = await startServer()
    const client = makePostJson(origin)
    try {
      await expect(client.post("message", "http://127.0.0.2:1/v23.0/1065/messages", {}, "{}", 5_000, 1024)).rejects.toThrow(/another origin/)
      expect(seen).toEqual([])
    } finally {
      client.close()
    }
  })
})
