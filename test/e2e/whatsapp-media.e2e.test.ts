/**
 * The whole gateway serves residents' media through the registry's adapters: WhatsApp's ids via
 * the Graph API media flow (msw checks Meta's format) into the disk cache, Telegram's and SMS's by
 * their own adapters, an id no channel owns refused — over real HTTP, with the agent API's auth.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { graphMediaMock } from "../msw/graph-media.ts"
import { auth, baseEnv, startGateway, type TestGateway } from "../support/gateway.ts"

const GRAPH = "http://127.0.0.1:9/v23.0"
const TOKEN = "EAAG-e2e-media-token"
const mock = graphMediaMock({ graphApiUrl: GRAPH, accessToken: TOKEN })
const server = setupServer(...mock.handlers)
const mediaDir = mkdtempSync(join(tmpdir(), "loket-e2e-media-"))

let gw: TestGateway
beforeAll(async () => {
  // The gateway itself is real; the Graph API (127.0.0.1:9, where nothing listens) is msw's.
  server.listen({ onUnhandledRequest: (request, print) => (new URL(request.url).port !== "9" && new URL(request.url).hostname === "127.0.0.1" ? undefined : print.error()) })
  gw = await startGateway(baseEnv({ WHATSAPP_ACCESS_TOKEN: TOKEN, GRAPH_API_URL: GRAPH, LOKET_MEDIA_DIR: mediaDir }))
})
afterEach(() => {
  mock.assertValid()
  mock.reset()
})
afterAll(async () => {
  server.close()
  await gw?.close()
})

const get = (id: string, headers: Record<string, string> = auth) => fetch(`${gw.url}/api/v1/media/${encodeURIComponent(id)}`, { headers })
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

describe("GET /api/v1/media/:id through the whole gateway", () => {
  it("fetches a WhatsApp voice note once through the Graph API and then serves it from the disk cache", async () => {
    const voice = new Uint8Array(2048).fill(5)
    mock.add("771234567890123", { bytes: voice, mimeType: "audio/ogg; codecs=opus" })
    for (let round = 0; round < 2; round++) {
      const res = await get("771234567890123")
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("audio/ogg; codecs=opus")
      expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="771234567890123.ogg"/)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(voice)
    }
    expect(mock.calls.lookups).toEqual(["771234567890123"])
    expect(readdirSync(mediaDir)).toContain("771234567890123.bin")
  })

  it("asks the channel that owns the id: Telegram and SMS answer that they are not configured, WhatsApp that Meta does not know it", async () => {
    expect(await codeOf(await get("AgACAgQAAxkBAAIBRWb_foto"))).toBe("channel_not_configured")
    expect(await codeOf(await get(`sms:SM${"a".repeat(32)}:ME${"b".repeat(32)}`))).toBe("channel_not_configured")
    const unknown = await get("404404")
    expect(unknown.status).toBe(404)
    expect(await codeOf(unknown)).toBe("media_not_found")
  })

  it("refuses an id no channel owns with 400, and anyone without a token with 401", async () => {
    const bad = await get("no such id")
    expect(bad.status).toBe(400)
    const error = ((await bad.json()) as { error: { code: string; details: Array<{ path: string; message: string }> } }).error
    expect(error.code).toBe("invalid_media_id")
    expect(error.details).toEqual([{ path: "id", message: expect.stringMatching(/digits \(WhatsApp\).*Telegram file_id.*sms:<MessageSid>:<MediaSid>/) }])
    expect((await get("771234567890123", {})).status).toBe(401)
    expect(mock.calls.lookups).toEqual([])
  })
})
