/** The webhook's door: handshake, signatures over the raw bytes, size limit, bad input. */
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startGateway, type TestGateway, VERIFY_TOKEN } from "../support/gateway.ts"
import { fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

const oneMessage = () => fixtures.webhookBody({ contacts: [fixtures.contact({ waId: "31611111111" })], messages: [fixtures.textMessage({ from: "31611111111", body: "Hallo" })] })

describe("GET /webhooks/whatsapp (handshake)", () => {
  it("echoes the challenge when the verify token matches", async () => {
    const res = await fetch(`${gw.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe("1158201444")
  })

  it("answers 403 for a wrong token or mode", async () => {
    for (const query of [`hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`, `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`, ""]) {
      const res = await fetch(`${gw.url}/webhooks/whatsapp?${query}`)
      expect(res.status).toBe(403)
      expect((await res.json()).error.code).toBe("verification_failed")
    }
  })
})

describe("POST /webhooks/whatsapp (signature)", () => {
  it("accepts a correctly signed body", async () => {
    const res = await postWebhook(gw.url, oneMessage())
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: "accepted", accepted: 1 })
  })

  it("refuses a missing, malformed, SHA-1-only or wrong signature with 401 and a JSON error", async () => {
    const body = JSON.stringify(oneMessage())
    const sha1 = `sha1=${"a".repeat(40)}`
    const cases: Array<[string | null, string]> = [
      [null, "signature_missing"],
      ["garbage", "signature_malformed"],
      [sha1, "signature_malformed"],
      [`sha256=${"z".repeat(64)}`, "signature_malformed"],
      [fixtures.sign(body, "another-secret"), "signature_invalid"]
    ]
    for (const [signature, code] of cases) {
      const res = await postWebhook(gw.url, body, { signature })
      expect(res.status, String(signature)).toBe(401)
      expect((await res.json()).error.code).toBe(code)
    }
  })

  it("checks the exact bytes: a body changed after signing is refused, even if it is the same JSON", async () => {
    const body = JSON.stringify(oneMessage())
    const signature = fixtures.sign(body, "test-app-secret")
    const reformatted = JSON.stringify(JSON.parse(body), null, 2)
    expect((await postWebhook(gw.url, reformatted, { signature })).status).toBe(401)
    const tampered = body.replace("Hallo", "Hallo!")
    expect((await postWebhook(gw.url, tampered, { signature })).status).toBe(401)
  })

  it("answers 400 for signed bytes that are not JSON", async () => {
    const res = await postWebhook(gw.url, "{not json")
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe("invalid_json")
  })

  it("answers 200 and ignores signed JSON that is not for us", async () => {
    const res = await postWebhook(gw.url, { object: "page", entry: [] })
    expect(res.status).toBe(200)
    expect((await res.json()).status).toBe("ignored")
    const other = fixtures.envelope([fixtures.entry({ changes: [{ field: "account_update", value: { event: "VERIFIED_ACCOUNT" } }] })])
    const res2 = await postWebhook(gw.url, other)
    expect(res2.status).toBe(200)
    expect((await res2.json()).status).toBe("ignored")
  })
})

describe("POST /webhooks/whatsapp (size)", () => {
  it("refuses a body over 4 MiB with 413, by Content-Length", async () => {
    const res = await postWebhook(gw.url, "x".repeat(4 * 1024 * 1024 + 1))
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe("payload_too_large")
  })

  it("refuses a chunked body while it streams in, before it has all been sent", async () => {
    const result = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0
      const req = request(`${gw.url}/webhooks/whatsapp`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + "0".repeat(64) } }, (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0, sent })
        req.destroy()
      })
      req.on("error", () => {})
      const chunk = Buffer.alloc(256 * 1024, 0x20)
      const pump = () => {
        // 64 MiB at most; the answer must come long before.
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once("drain", pump)
        }
        req.end()
      }
      pump()
      setTimeout(() => reject(new Error("no answer")), 20_000)
    })
    expect(result.status).toBe(413)
    expect(result.sent).toBeLessThan(64 * 1024 * 1024)
  })

  it("accepts Meta's largest batch: 1,000 messages, about 3 MB (its latency is in npm run bench)", async () => {
    const body = fixtures.textBatch(1000) as any
    // pad the texts so the body is near 3 MB, as Meta's largest batches are
    for (const m of body.entry[0].changes[0].value.messages) m.text.body = m.text.body.padEnd(2500, " .")
    const raw = JSON.stringify(body)
    expect(raw.length).toBeGreaterThan(2_500_000)
    const res = await postWebhook(gw.url, raw)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ accepted: 1000, duplicates: 0 })
  })
})
