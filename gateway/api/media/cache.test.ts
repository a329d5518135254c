import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { makeMediaCache, resolveMediaCacheDir } from "./cache.ts"

const freshDir = () => mkdtempSync(join(tmpdir(), "loket-media-cache-test-"))
const streamOf = (...chunks: Array<Uint8Array>) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    }
  })
const failingStream = (error: Error) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(100))
    },
    pull(controller) {
      controller.error(error)
    }
  })
const readAll = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer())
const meta = (id: string) => ({ id, mimeType: "image/jpeg", sha256: null, filename: null })
const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill)

describe("media cache", () => {
  it("stores a body and serves it again with its metadata", async () => {
    const cache = makeMediaCache({ dir: freshDir(), maxBytes: 10_000 })
    const stored = await cache.put({ ...meta("1"), sha256: "abc", filename: "brief.pdf" }, streamOf(bytes(10), bytes(20, 2)))
    expect(stored.meta).toMatchObject({ id: "1", mimeType: "image/jpeg", sha256: "abc", filename: "brief.pdf", size: 30 })
    expect(await readAll(stored.body)).toHaveLength(30)
    const again = await cache.get("1")
    expect(again?.meta.size).toBe(30)
    expect(await readAll(again!.body)).toEqual(new Uint8Array([...bytes(10), ...bytes(20, 2)]))
    expect(await cache.get("2")).toBeUndefined()
  })

  it("leaves nothing behind when the body errors", async () => {
    const dir = freshDir()
    const cache = makeMediaCache({ dir, maxBytes: 10_000 })
    await expect(cache.put(meta("1"), failingStream(new Error("sha256 mismatch")))).rejects.toThrow("sha256 mismatch")
    expect(await cache.has("1")).toBe(false)
    expect(readdirSync(dir).filter((f) => f !== "tmp")).toEqual([])
    expect(readdirSync(join(dir, "tmp"))).toEqual([])
  })

  it("evicts the least recently used entries to stay under the cap", async () => {
    const cache = makeMediaCache({ dir: freshDir(), maxBytes: 300 })
    await readAll((await cache.put(meta("1"), streamOf(bytes(100)))).body)
    await readAll((await cache.put(meta("2"), streamOf(bytes(100)))).body)
    await readAll((await cache.put(meta("3"), streamOf(bytes(100)))).body)
    await readAll((await cache.get("1"))!.body) // 1 is now more recent than 2
    await readAll((await cache.put(meta("4"), streamOf(bytes(100)))).body)
    expect(await cache.has("2")).toBe(false)
    expect(await cache.has("1")).toBe(true)
    expect(await cache.has("3")).toBe(true)
    expect(await cache.has("4")).toBe(true)
    expect(await cache.totalBytes()).toBe(300)
  })

  it("still serves one file larger than the whole cap, then keeps nothing", async () => {
    const cache = makeMediaCache({ dir: freshDir(), maxBytes: 50 })
    const stored = await cache.put(meta("1"), streamOf(bytes(80)))
    expect(await readAll(stored.body)).toHaveLength(80)
    expect(await cache.has("1")).toBe(false)
    expect(await cache.totalBytes()).toBe(0)
  })

  it("reopens what is on disk and cleans what a crash left behind", async () => {
    const dir = freshDir()
    const first = makeMediaCache({ dir, maxBytes: 10_000 })
    await readAll((await first.put(meta("1"), streamOf(bytes(40)))).body)
    writeFileSync(join(dir, "tmp", "2.half.part"), bytes(10))
    writeFileSync(join(dir, "3.bin"), bytes(10)) // renamed in, metadata never written
    writeFileSync(join(dir, "4.json"), JSON.stringify({ ...meta("4"), size: 99, storedAt: "" })) // bytes missing
    const second = makeMediaCache({ dir, maxBytes: 10_000 })
    expect(await readAll((await second.get("1"))!.body)).toHaveLength(40)
    expect(await second.has("3")).toBe(false)
    expect(await second.has("4")).toBe(false)
    expect(existsSync(join(dir, "3.bin"))).toBe(false)
    expect(existsSync(join(dir, "4.json"))).toBe(false)
    expect(readdirSync(join(dir, "tmp"))).toEqual([])
    expect(await second.totalBytes()).toBe(40)
  })

  it("refuses keys that could leave its directory", async () => {
    const cache = makeMediaCache({ dir: freshDir(), maxBytes: 100 })
    await expect(cache.get("../etc/passwd")).rejects.toThrow(/invalid key/)
  })
})

describe("resolveMediaCacheDir", () => {
  it("prefers LOKET_MEDIA_DIR, then <dataDir>/media, then a temp dir", () => {
    expect(resolveMediaCacheDir("/srv/media", "/srv/data")).toBe("/srv/media")
    expect(resolveMediaCacheDir(undefined, "/srv/data")).toBe(join("/srv/data", "media"))
    const temp = resolveMediaCacheDir(undefined, undefined)
    expect(temp.startsWith(tmpdir())).toBe(true)
    expect(existsSync(temp)).toBe(true)
  })
})
