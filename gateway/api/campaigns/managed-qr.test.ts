/**
 * Campaigns with Meta's managed QR codes: created, updated and deleted at Meta (msw handlers
 * checking Meta's documented format) in step with Loket's campaign, and /r/:id leading to the
 * managed deep link.
 */
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { graphQrMock } from "../../../test/msw/graph-qr.ts"
import { auth, baseEnv, startGateway, type TestGateway } from "../../../test/support/gateway.ts"
import { setWidgetSettings } from "../../../test/support/widget.ts"

const GRAPH = "https://graph.facebook.com/v23.0"
const TOKEN = "EAAG-managed-qr-test-token"
const PHONE_NUMBER_ID = "1234567890123456"
const mock = graphQrMock({ graphApiUrl: GRAPH, accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID })
const server = setupServer(...mock.handlers)

let gw: TestGateway
beforeAll(async () => {
  // Loopback (the gateway itself) is real; everything else must be one of Meta's handlers.
  server.listen({ onUnhandledRequest: (request, print) => (new URL(request.url).hostname === "127.0.0.1" ? undefined : print.error()) })
  gw = await startGateway(baseEnv({ WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, GRAPH_API_URL: GRAPH }))
  await setWidgetSettings(gw)
})
afterEach(() => {
  expect(mock.problems).toEqual([])
})
afterAll(async () => {
  server.close()
  await gw?.close()
})

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}/api/v1/campaigns${path}`, { method, headers: { ...auth, "content-type": "application/json" }, body: body === undefined ? null : JSON.stringify(body) })

describe("managed QR codes", () => {
  it("follow the campaign at Meta: created with its text, updated when the text changes, gone when it is deleted", async () => {
    const created = await call("POST", "", { id: "bus-abri", name: "Abri's bushaltes", text: "Vraag over de bushalte", managedQr: true })
    expect(created.status).toBe(201)
    const campaign = await created.json() as { managedQr: { code: string; link: string } }
    expect(campaign.managedQr.link).toBe(`https://wa.me/message/${campaign.managedQr.code}`)
    expect(mock.codes.get(campaign.managedQr.code)).toBe("Vraag over de bushalte")

    const scan = await fetch(`${gw.url}/r/bus-abri`, { redirect: "manual" })
    expect(scan.headers.get("location")).toBe(campaign.managedQr.link)

    const patched = await call("PATCH", "/bus-abri", { text: "Vraag over uw bushalte" })
    expect(await patched.json()).toMatchObject({ managedQr: campaign.managedQr, text: "Vraag over uw bushalte" })
    expect(mock.codes.get(campaign.managedQr.code)).toBe("Vraag over uw bushalte")

    expect((await call("DELETE", "/bus-abri")).status).toBe(204)
    expect(mock.codes.has(campaign.managedQr.code)).toBe(false)
  })

  it("switched on and off for an existing campaign", async () => {
    await call("POST", "", { id: "brief", name: "Brief", text: "Vraag over mijn brief" })
    const on = await (await call("PATCH", "/brief", { managedQr: true })).json() as { managedQr: { code: string } | null }
    expect(mock.codes.get(on.managedQr!.code)).toBe("Vraag over mijn brief")
    const off = await (await call("PATCH", "/brief", { managedQr: false })).json() as { managedQr: unknown }
    expect(off.managedQr).toBeNull()
    expect(mock.codes.has(on.managedQr!.code)).toBe(false)
  })

  it("a text over Meta's 140 characters, or none, is refused naming text; nothing reaches Meta", async () => {
    const before = mock.codes.size
    for (const text of ["x".repeat(141), undefined]) {
      const answer = await call("POST", "", { id: "te-lang", name: "Te lang", text, managedQr: true })
      expect(answer.status).toBe(422)
      expect((await answer.json() as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path)).toEqual(["text"])
    }
    expect(mock.codes.size).toBe(before)
    expect((await call("GET", "/te-lang")).status).toBe(404)
  })
})

describe("when Meta refuses", () => {
  it("502 managed_qr_failed with Meta's reason (never the token), and nothing changes in Loket", async () => {
    server.use(http.post(`https://graph.facebook.com/:version/:phone/message_qrdls`, () =>
      HttpResponse.json({ error: { message: `Invalid OAuth access token - ${TOKEN}`, type: "OAuthException", code: 190, fbtrace_id: "A1" } }, { status: 401 }), { once: true }))
    const answer = await call("POST", "", { id: "geweigerd", name: "Geweigerd", text: "Hallo", managedQr: true })
    expect(answer.status).toBe(502)
    const error = (await answer.json() as { error: { code: string; message: string } }).error
    expect(error.code).toBe("managed_qr_failed")
    expect(error.message).toContain("190")
    expect(error.message).not.toContain(TOKEN)
    expect((await call("GET", "/geweigerd")).status).toBe(404)
  })
})

describe("without WhatsApp credentials", () => {
  it("409 managed_qr_unavailable, and the campaign is not created", async () => {
    const bare = await startGateway()
    try {
      const answer = await fetch(`${bare.url}/api/v1/campaigns`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ id: "x", name: "x", text: "hoi", managedQr: true })
      })
      expect(answer.status).toBe(409)
      expect((await answer.json() as { error: { code: string } }).error.code).toBe("managed_qr_unavailable")
      expect((await fetch(`${bare.url}/api/v1/campaigns/x`, { headers: auth })).status).toBe(404)
    } finally {
      await bare.close()
    }
  })
})
