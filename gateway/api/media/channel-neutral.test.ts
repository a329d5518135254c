/**
 * `GET /api/v1/media/:id` knows no channel: it asks the adapter that owns the id, caches for the
 * ones that set `media.cached`, answers their failures and logs what they say. A made-up channel
 * (ids `demo:<n>:<name>`, not file names) shows it; WhatsApp's own flow is in routes.test.ts.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { Hono } from "hono"
import { afterEach, describe, expect, it, vi } from "vitest"
import type { ChannelAdapter, ChannelFile, ChannelMedia, ChannelMediaFailure } from "../../../adapters/ChannelAdapter.ts"
import { LoketConfig, type LoketConfigValue } from "../../../config/Config.ts"
import { mediaRoutes } from "./routes.ts"

afterEach(() => vi.restoreAllMocks())

const DEMO_ID = /^demo:\d+:[a-z.]+$/

function loadConfig(dir: string): LoketConfigValue {
  return Effect.runSync(Effect.provide(Effect.gen(function*() {
    return yield* LoketConfig
  }), LoketConfig.fromEnv({ LOKET_MEDIA_DIR: dir })))
}

const streamOf = (bytes: Uint8Array) => new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(bytes), controller.close()) })

/** A channel whose provider holds `files`; `fetches` counts what reached the provider. */
function demoChannel(media: Partial<ChannelMedia> & Pick<ChannelMedia, "fetch">): ChannelAdapter {
  return {
    channel: "messenger",
    label: "Demo",
    capabilities: { window: { kind: "none" }, content: ["text"], templates: false, maxTextLength: 100 },
    webhook: { maxBytes: 1024, format: "json", verify: () => ({ ok: true }), parse: () => ({ events: [], rejected: [], ignored: null }) },
    validateOutbound: () => [],
    sender: undefined,
    sendRequires: "DEMO_TOKEN",
    media: { owns: (id) => DEMO_ID.test(id), idFormat: "demo:<number>:<name>", ...media },
    startNotice: null
  }
}

function setUp(media: Partial<ChannelMedia> & Pick<ChannelMedia, "fetch">) {
  const dir = mkdtempSync(join(tmpdir(), "loket-media-neutral-test-"))
  const app = new Hono().route("/api/v1/media", mediaRoutes(loadConfig(dir), undefined, [demoChannel(media)]))
  return { app, dir }
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: unknown } }).error
const fail = (failure: ChannelMediaFailure) => () => Promise.reject(failure)

describe("GET /api/v1/media/:id for any channel", () => {
  it("caches a channel's file when it asks, even when its id is no file name, and serves it again without the provider", async () => {
    const photo = new Uint8Array(3000).fill(7)
    const fetchFile = vi.fn(async (): Promise<ChannelFile> => ({ body: streamOf(photo), mimeType: "image/png", size: photo.byteLength, filename: null }))
    const { app, dir } = setUp({ fetch: fetchFile, cached: true })
    for (let round = 0; round < 2; round++) {
      const res = await app.request(`/api/v1/media/${encodeURIComponent("demo:42:straat.png")}`)
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("image/png")
      expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="demo_42_straat.png.png"/)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(photo)
    }
    expect(fetchFile).toHaveBeenCalledTimes(1)
    const stored = readdirSync(dir).filter((name) => name.endsWith(".bin"))
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatch(/^h_[A-Za-z0-9_-]{43}\.bin$/)
  })

  it("streams a channel's file without caching when it does not ask, without a length it does not know", async () => {
    const fetchFile = vi.fn(async (): Promise<ChannelFile> => ({ body: streamOf(new TextEncoder().encode("%PDF-1.7")), mimeType: "application/pdf", size: null, filename: "brief.pdf" }))
    const { app, dir } = setUp({ fetch: fetchFile })
    for (let round = 0; round < 2; round++) {
      const res = await app.request("/api/v1/media/demo:7:brief.pdf")
      expect(res.status).toBe(200)
      expect(res.headers.get("content-length")).toBeNull()
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="brief.pdf"/)
      expect(await res.text()).toBe("%PDF-1.7")
    }
    expect(fetchFile).toHaveBeenCalledTimes(2)
    expect(readdirSync(dir).filter((name) => name.endsWith(".bin"))).toEqual([])
  })

  it("answers 400 invalid_media_id naming the formats the channels take, for an id no channel owns", async () => {
    const fetchFile = vi.fn(fail({ status: 404, code: "media_not_found", message: "x" }))
    const res = await setUp({ fetch: fetchFile }).app.request("/api/v1/media/elsewhere-123")
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.code).toBe("invalid_media_id")
    expect(error.details).toEqual([{ path: "id", message: "expected demo:<number>:<name>" }])
    expect(fetchFile).not.toHaveBeenCalled()
  })

  it("answers the channel's failure and logs the channel's line, a default line, or nothing", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    const cases: Array<[ChannelMediaFailure, string | undefined]> = [
      [{ status: 502, code: "channel_token_expired", message: "Renew DEMO_TOKEN.", log: "Loket: Demo refused the token; renew DEMO_TOKEN." }, "Loket: Demo refused the token; renew DEMO_TOKEN."],
      [{ status: 503, code: "channel_not_configured", message: "Set DEMO_TOKEN.", log: null }, undefined],
      [{ status: 502, code: "media_unavailable", message: "Try again later." }, "Loket: Demo media not fetched: media_unavailable"],
      [{ status: 404, code: "media_not_found", message: "Unknown file." }, undefined]
    ]
    for (const [failure, line] of cases) {
      warn.mockClear()
      const res = await setUp({ fetch: fail(failure), cached: true }).app.request("/api/v1/media/demo:1:a.jpg")
      expect(res.status, failure.code).toBe(failure.status)
      expect(await errorOf(res)).toEqual({ code: failure.code, message: failure.message })
      expect(warn.mock.calls, failure.code).toEqual(line === undefined ? [] : [[line]])
    }
  })

  it("answers the failure a body errors with, and keeps nothing of it in the cache", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined)
    const broken = (): ReadableStream<Uint8Array> => {
      let sent = false
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error({ status: 502, code: "media_too_large", message: "Over the limit." } satisfies ChannelMediaFailure)
          sent = true
          controller.enqueue(new Uint8Array(100))
        }
      })
    }
    const { app, dir } = setUp({ fetch: async () => ({ body: broken(), mimeType: "video/mp4", size: null, filename: null }), cached: true })
    const res = await app.request("/api/v1/media/demo:9:clip.webm")
    expect(res.status).toBe(502)
    expect((await errorOf(res)).code).toBe("media_too_large")
    expect(readdirSync(dir).filter((name) => name !== "tmp")).toEqual([])
    expect(readdirSync(join(dir, "tmp"))).toEqual([])
  })
})
