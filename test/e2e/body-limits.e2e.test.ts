/**
 * Issue 9, defect 1: one request could kill the gateway. Every body the agent API reads has a
 * limit fitting what it takes, refused with 413 while the body streams in — before the route
 * looks anything up — so a 300 MB reply never reaches JSON.parse.
 */
import { request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, startGateway, type TestGateway } from "../support/gateway.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

/** Streams `total` bytes (chunked, no Content-Length) lazily; answers as soon as the server does. */
function streamBody(path: string, total: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, gw.url)
    let sent = 0
    let answered = false
    const req = httpRequest({
      host: url.hostname, port: url.port, method: "POST", path: url.pathname,
      headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" }
    }, (res) => {
      answered = true
      let body = ""
      res.on("data", (d) => (body += d))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sent }))
    })
    req.on("error", (error) => (answered ? undefined : reject(error)))
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once("drain", pump)
      }
      if (!answered) req.end()
    }
    req.write("{\"text\":\"")
    pump()
  })
}

describe("request body limits on the agent API", () => {
  it("refuses a 300 MB streamed reply with 413 long before it is read, and keeps serving", async () => {
    const res = await streamBody("/api/v1/conversations/conv_unknown/messages", 300 * 1024 * 1024)
    expect(res.status).toBe(413)
    const error = JSON.parse(res.body).error
    expect(error.code).toBe("payload_too_large")
    expect(error.message).toContain("64 KiB")
    expect(res.sent).toBeLessThan(50 * 1024 * 1024)
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200)
  })

  it("refuses a reply whose Content-Length is over 64 KiB by the header, before looking up the conversation", async () => {
    const body = JSON.stringify({ text: "a".repeat(64 * 1024) })
    const res = await fetch(`${gw.url}/api/v1/conversations/conv_unknown/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body
    })
    expect(res.status).toBe(413)
    expect((await res.json()).error.message).toMatch(/A reply is limited to 64 KiB \(65536 bytes\)/)
  })

  it("lets a reply under the limit through to the route (which then looks up the conversation)", async () => {
    const res = await fetch(`${gw.url}/api/v1/conversations/conv_unknown/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "a".repeat(60 * 1024) })
    })
    expect(res.status).not.toBe(413)
  })

  it("gives every other body-reading route a limit too, unknown routes included", async () => {
    const big = "x".repeat(64 * 1024 + 1)
    for (const path of ["/api/v1/conversations/conv_unknown/read", "/api/v1/admin/parked/1/retry", "/api/v1/not-a-route"]) {
      const res = await fetch(`${gw.url}${path}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: big })
      expect(res.status, path).toBe(413)
    }
  })

  it("lets media uploads be as large as a channel takes", async () => {
    const form = new FormData()
    form.set("file", new Blob([new Uint8Array(1024 * 1024)], { type: "application/pdf" }), "brief.pdf")
    const res = await fetch(`${gw.url}/api/v1/media`, { method: "POST", headers: auth, body: form })
    expect(res.status).not.toBe(413)
  })
})
