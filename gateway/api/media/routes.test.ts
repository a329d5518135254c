import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serve } from "@hono/node-server"
import { Effect } from "effect"
import { Hono } from "hono"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { graphMediaMock, sha256Hex, standInDns } from "../../../test/msw/graph-media.ts"
import { LoketConfig, type LoketConfigValue } from "../../../config/Config.ts"
import { makeWhatsAppAdapter } from "../../../adapters/whatsapp-cloud/mod.ts"
import type { WhatsAppMediaOptions } from "../../../adapters/whatsapp-cloud/media/channel-media.ts"
import { mediaRoutes } from "./routes.ts"

const GRAPH = "http://127.0.0.1:9/v23.0"
const TOKEN = "EAAG-route-test-token"
const mock = graphMediaMock({ graphApiUrl: GRAPH, accessToken: TOKEN })
const evilAuthorizations: Array<string | null> = []
const server = setupServer(
  ...mock.handlers,
  http.all("https://evil.example/*", ({ request }) => {
    evilAuthorizations.push(request.headers.get("authorization"))
    return new HttpResponse(new Uint8Array(10), { headers: { "content-type": "image/jpeg" } })
  })
)
/** Our own loopback server is real; everything else must be an msw handler. */
let ownOrigin = "http://127.0.0.1:0"

beforeAll(() =>
  server.listen({
    onUnhandledRequest(request, print) {
      if (!request.url.startsWith(ownOrigin)) print.error()
    }
  })
)
afterEach(() => {
  mock.assertValid()
  mock.reset()
  evilAuthorizations.length = 0
  vi.restoreAllMocks()
})
afterAll(() => server.close())

function loadConfig(env: Record<string, string> = {}): LoketConfigValue {
  return Effect.runSync(Effect.provide(Effect.gen(function*() {
    return yield* LoketConfig
  }), LoketConfig.fromEnv({
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    GRAPH_API_URL: GRAPH,
    LOKET_MEDIA_DIR: mkdtempSync(join(tmpdir(), "loket-media-route-test-")),
    ...env
  })))
}

/** The route with WhatsApp's adapter behind it (its media flow with a stand-in resolver and a short timeout). */
function makeApp(env: Record<string, string> = {}, options: WhatsAppMediaOptions = { timeoutMs: 2_000, resolve: standInDns() }) {
  const config = loadConfig(env)
  const whatsapp = makeWhatsAppAdapter(config.channels.whatsapp, { media: options })
  return { app: new Hono().route("/api/v1/media", mediaRoutes(config, undefined, [whatsapp])), config }
}

const bytes = (n: number, fill = 3) => new Uint8Array(n).fill(fill)
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: unknown } }).error

describe("GET /api/v1/media/:id over real HTTP", () => {
  it("streams an image, then serves it from disk without asking Meta again", async () => {
    const { app } = makeApp()
    const running = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" })
    await new Promise<void>((resolve) => running.once("listening", () => resolve()))
    const address = running.address()
    ownOrigin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
    try {
      const photo = bytes(4096, 9)
      mock.add("1234567890123456", { bytes: photo, mimeType: "image/jpeg", url: "lookaside" })
      const first = await fetch(`${ownOrigin}/api/v1/media/1234567890123456`)
      expect(first.status).toBe(200)
      expect(first.headers.get("content-type")).toBe("image/jpeg")
      expect(first.headers.get("content-length")).toBe("4096")
      expect(first.headers.get("cache-control")).toBe("private, max-age=3600")
      expect(first.headers.get("x-content-type-options")).toBe("nosniff")
      expect(first.headers.get("content-disposition")).toMatch(/^inline; filename="1234567890123456.jpg"/)
      expect(new Uint8Array(await first.arrayBuffer())).toEqual(photo)

      const second = await fetch(`${ownOrigin}/api/v1/media/1234567890123456`)
      expect(second.status).toBe(200)
      expect(new Uint8Array(await second.arrayBuffer())).toEqual(photo)
      expect(mock.calls.lookups).toEqual(["1234567890123456"])
      expect(mock.calls.downloads).toEqual(["1234567890123456"])
    } finally {
      ;(running as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => running.close(() => resolve()))
    }
  })
})

describe("GET /api/v1/media/:id", () => {
  it("serves a document as an attachment", async () => {
    const { app, config } = makeApp()
    const pdf = new TextEncoder().encode("%PDF-1.7 bezwaarschrift")
    mock.add("2001", { bytes: pdf, mimeType: "application/pdf" })
    const res = await app.request("/api/v1/media/2001")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/pdf")
    expect(res.headers.get("content-length")).toBe(String(pdf.byteLength))
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="2001.pdf"/)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf)
    const files = readdirSync(config.media.cacheDir!)
    expect(files).toContain("2001.bin")
    expect(files).toContain("2001.json")
  })

  it("answers 400 naming the field for a bad id, without calling Meta", async () => {
    const { app } = makeApp()
    for (const id of ["abc", "12a4", "1".repeat(33), "..%2F..%2Fetc"]) {
      const res = await app.request(`/api/v1/media/${id}`)
      expect(res.status, id).toBe(400)
      const error = await errorOf(res)
      expect(error.code).toBe("invalid_media_id")
      expect(error.details).toEqual([{ path: "id", message: expect.any(String) }])
    }
    expect(mock.calls.lookups).toEqual([])
  })

  it("answers 404 media_not_found for media Meta does not know", async () => {
    const res = await makeApp().app.request("/api/v1/media/404404")
    expect(res.status).toBe(404)
    expect((await errorOf(res)).code).toBe("media_not_found")
  })

  it("answers 502 channel_token_expired on Graph error 190, telling admins without logging the token", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    mock.add("3001", { bytes: bytes(1), mimeType: "image/jpeg", lookup: { status: 401, code: 190, message: "Error validating access token: Session has expired" } })
    const res = await makeApp().app.request("/api/v1/media/3001")
    expect(res.status).toBe(502)
    const error = await errorOf(res)
    expect(error.code).toBe("channel_token_expired")
    expect(error.message).toMatch(/WHATSAPP_ACCESS_TOKEN/)
    expect(warn).toHaveBeenCalled()
    expect(JSON.stringify(warn.mock.calls)).not.toContain(TOKEN)
  })

  it("answers 503 channel_not_configured without WHATSAPP_ACCESS_TOKEN", async () => {
    const config = loadConfig()
    const whatsapp = makeWhatsAppAdapter({ ...config.channels.whatsapp, accessToken: undefined })
    const app = new Hono().route("/m", mediaRoutes(config, undefined, [whatsapp]))
    const res = await app.request("/m/5001")
    expect(res.status).toBe(503)
    expect((await errorOf(res)).code).toBe("channel_not_configured")
    expect(mock.calls.lookups).toEqual([])
  })

  it("answers 502 media_too_large over WhatsApp's limit and keeps nothing", async () => {
    const { app, config } = makeApp()
    mock.add("6001", { bytes: bytes(5 * 1024 * 1024 + 1), mimeType: "image/jpeg", fileSize: null, chunked: true })
    const res = await app.request("/api/v1/media/6001")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_too_large")
    expect(readdirSync(config.media.cacheDir!).filter((f) => f !== "tmp")).toEqual([])
  })

  it("answers 502 media_type_not_allowed for a disallowed type", async () => {
    mock.add("7001", { bytes: new TextEncoder().encode("<script>alert(1)</script>"), mimeType: "text/html" })
    const res = await makeApp().app.request("/api/v1/media/7001")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_type_not_allowed")
    expect(mock.calls.downloads).toEqual([])
  })

  it.each([
    ["7101", "application/x-msdownload", "attachment_executable", /run code/],
    ["7102", "application/zip", "attachment_archive", /hide executables/],
    ["7103", "application/vnd.ms-word.document.macroEnabled.12", "attachment_executable", /run code/]
  ])("refuses executables and archives with a reason, never downloading them (%s, %s)", async (id, mimeType, refusal, reason) => {
    mock.add(id, { bytes: bytes(10), mimeType })
    const res = await makeApp().app.request(`/api/v1/media/${id}`)
    expect(res.status).toBe(502)
    const error = await errorOf(res)
    expect(error.code).toBe("media_type_not_allowed")
    expect(error.message).toMatch(reason)
    expect(error.details).toEqual([{ path: "mimeType", message: expect.stringContaining(refusal) }])
    expect(mock.calls.downloads).toEqual([])
  })

  it("refuses a download whose host announces an executable type", async () => {
    mock.add("7201", { bytes: bytes(10), mimeType: "application/pdf", downloadHeaders: { "content-type": "application/x-msdownload" } })
    const res = await makeApp().app.request("/api/v1/media/7201")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_type_not_allowed")
  })

  it("refuses a redirect from the media host", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined)
    mock.add("8001", { bytes: bytes(10), mimeType: "image/jpeg", download: "redirect" })
    const res = await makeApp().app.request("/api/v1/media/8001")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_unavailable")
    expect(mock.calls.downloads).toEqual(["8001"])
  })

  it("never sends the token to a host off the allow-list", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    mock.add("9001", { bytes: bytes(10), mimeType: "image/jpeg", url: "https://evil.example/attachments/?mid=9001&hash=x" })
    const res = await makeApp().app.request("/api/v1/media/9001")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_host_not_allowed")
    expect(evilAuthorizations).toEqual([])
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/mid=9001|hash=x/)
  })

  it("fetches from an operator's extra host (LOKET_MEDIA_HOSTS) with the token", async () => {
    mock.add("9002", { bytes: new Uint8Array(10), mimeType: "image/jpeg", url: "https://evil.example/attachments/?mid=9002" })
    const res = await makeApp({ LOKET_MEDIA_HOSTS: "evil.example" }).app.request("/api/v1/media/9002")
    expect(res.status).toBe(200)
    expect(evilAuthorizations).toEqual([`Bearer ${TOKEN}`])
  })

  it("never sends the token to an allowed host name that resolves to a private address", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    mock.add("9003", { bytes: new Uint8Array(10), mimeType: "image/jpeg", url: "https://evil.example/attachments/?mid=9003" })
    const inward = makeApp({ LOKET_MEDIA_HOSTS: "evil.example" }, { timeoutMs: 2_000, resolve: standInDns({ "evil.example": ["93.184.215.14", "10.0.12.7"] }) })
    const res = await inward.app.request("/api/v1/media/9003")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_host_not_allowed")
    expect(evilAuthorizations).toEqual([])
    expect(JSON.stringify(warn.mock.calls)).toContain("evil.example resolves to a private or loopback address")
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/mid=9003/)
  })

  it("answers 502 media_unavailable when the media host name does not resolve, without sending the token", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined)
    mock.add("9004", { bytes: new Uint8Array(10), mimeType: "image/jpeg", url: "https://evil.example/attachments/?mid=9004" })
    const res = await makeApp({ LOKET_MEDIA_HOSTS: "evil.example" }, { timeoutMs: 2_000, resolve: standInDns({ "evil.example": null }) }).app.request("/api/v1/media/9004")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_unavailable")
    expect(evilAuthorizations).toEqual([])
  })

  it("answers 502 media_integrity_failed on a sha256 mismatch and does not cache", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined)
    const { app, config } = makeApp()
    mock.add("10001", { bytes: bytes(100), mimeType: "image/png", sha256: sha256Hex(bytes(100, 4)) })
    const res = await app.request("/api/v1/media/10001")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_integrity_failed")
    expect(readdirSync(config.media.cacheDir!).filter((f) => f !== "tmp")).toEqual([])
    expect(readdirSync(join(config.media.cacheDir!, "tmp"))).toEqual([])
  })

  it("answers 502 media_unavailable when Meta hangs, within the timeout", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined)
    const { app } = makeApp({}, { timeoutMs: 200 })
    mock.add("11001", { bytes: bytes(10), mimeType: "image/jpeg", lookup: "hang" })
    mock.add("11002", { bytes: bytes(10), mimeType: "image/jpeg", download: "hang" })
    mock.add("11003", { bytes: bytes(100), mimeType: "image/jpeg", download: "stall" })
    for (const id of ["11001", "11002", "11003"]) {
      const started = Date.now()
      const res = await app.request(`/api/v1/media/${id}`)
      expect(res.status, id).toBe(502)
      expect((await errorOf(res)).code).toBe("media_unavailable")
      expect(Date.now() - started).toBeLessThan(2_000)
    }
  })

  it("evicts the least recently used media to stay under LOKET_MEDIA_CACHE_MIB", async () => {
    const { app, config } = makeApp({ LOKET_MEDIA_CACHE_MIB: "1" })
    const third = 400 * 1024
    for (const id of ["12001", "12002", "12003"]) mock.add(id, { bytes: bytes(third), mimeType: "audio/ogg" })
    expect((await app.request("/api/v1/media/12001")).status).toBe(200)
    expect((await app.request("/api/v1/media/12002")).status).toBe(200)
    await (await app.request("/api/v1/media/12001")).arrayBuffer() // 12001 used again: 12002 is now the oldest
    expect((await app.request("/api/v1/media/12003")).status).toBe(200)
    const files = readdirSync(config.media.cacheDir!).filter((f) => f.endsWith(".bin")).sort()
    expect(files).toEqual(["12001.bin", "12003.bin"])
    expect(mock.calls.lookups).toEqual(["12001", "12002", "12003"])
  })

  it("fetches once for concurrent requests of the same media", async () => {
    const { app } = makeApp()
    mock.add("13001", { bytes: bytes(2048), mimeType: "video/mp4" })
    const answers = await Promise.all([1, 2, 3].map(() => app.request("/api/v1/media/13001")))
    for (const res of answers) {
      expect(res.status).toBe(200)
      expect((await res.arrayBuffer()).byteLength).toBe(2048)
    }
    expect(mock.calls.lookups).toEqual(["13001"])
  })
})
