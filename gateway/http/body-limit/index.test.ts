import { request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { serve } from "@hono/node-server"
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { declaredBodyLimit } from "./index.ts"

const LIMIT = 1024
const app = new Hono().post(
  "/",
  declaredBodyLimit({ maxSize: LIMIT, onError: (c) => c.json({ error: "too large" }, 413) }),
  async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength })
)

let server: ReturnType<typeof serve>
let port = 0
beforeAll(async () => {
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" })
  await new Promise<void>((resolve) => server.once("listening", () => resolve()))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Sends `chunks` (chunked when no length is given) and answers the status and body. */
function post(chunks: ReadonlyArray<Buffer>, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res) => {
      let body = ""
      res.on("data", (d) => (body += d))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

describe("declaredBodyLimit", () => {
  it("lets a body of declared length up to the limit through, readable whole by the handler", async () => {
    const body = Buffer.alloc(LIMIT, 0x61)
    const res = await post([body], { "content-length": String(body.length) })
    expect(res).toEqual({ status: 200, body: JSON.stringify({ bytes: LIMIT }) })
  })

  it("refuses a declared length over the limit by the header alone", async () => {
    const body = Buffer.alloc(LIMIT + 1, 0x61)
    const res = await post([body], { "content-length": String(body.length) })
    expect(res.status).toBe(413)
  })

  it("measures a chunked body as it streams in: under the limit passes, over it is refused", async () => {
    const small = await post([Buffer.alloc(300, 0x61), Buffer.alloc(300, 0x62)], { "transfer-encoding": "chunked" })
    expect(small).toEqual({ status: 200, body: JSON.stringify({ bytes: 600 }) })
    const big = await post([Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x62)], { "transfer-encoding": "chunked" })
    expect(big.status).toBe(413)
  })

  it("refuses a Content-Length that is not a number", async () => {
    const res = await app.request("/", { method: "POST", body: "x", headers: { "content-length": "12abc" } })
    expect(res.status).toBe(413)
  })
})
