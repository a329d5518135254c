/**
 * The on-disk media cache: one `<id>.bin` (the bytes) and one `<id>.json` (mime type, sha256, filename, size)
 * per media id, with the total size held under a cap by evicting the least recently used entries.
 *
 * Crash safety: bytes are written to `tmp/<id>.<random>.part`, flushed, then renamed into place; the metadata
 * is renamed in last, and an entry only exists when both files are there with matching sizes. Whatever a crash
 * leaves (a `.part`, a `.bin` without its `.json`) is removed when the cache is next opened.
 *
 * Reads hand out an already opened file, so an entry evicted while it is being streamed is still served whole
 * (POSIX keeps an unlinked, open file readable).
 */
import { randomUUID } from "node:crypto"
import { createReadStream, mkdtempSync } from "node:fs"
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"

export interface MediaMeta {
  readonly id: string
  readonly mimeType: string
  /** As Meta gave it, or null. */
  readonly sha256: string | null
  readonly filename: string | null
  /** Bytes. */
  readonly size: number
  /** ISO time it was downloaded. */
  readonly storedAt: string
}

/** A cached file, opened: the body owns the file descriptor and closes it when read to the end or cancelled. */
export interface OpenMedia {
  readonly meta: MediaMeta
  readonly body: ReadableStream<Uint8Array>
}

export interface MediaCacheOptions {
  readonly dir: string
  /** Upper bound of the bytes kept on disk. */
  readonly maxBytes: number
}

export interface MediaCache {
  readonly dir: string
  /** The cached media (marked as just used), or undefined. */
  readonly get: (id: string) => Promise<OpenMedia | undefined>
  /**
   * Writes `body` to a temp file and moves it into the cache once it ended without error; an erroring body
   * (size limit, timeout, sha256 mismatch) leaves nothing behind and the error is rethrown.
   */
  readonly put: (meta: Omit<MediaMeta, "size" | "storedAt">, body: ReadableStream<Uint8Array>) => Promise<OpenMedia>
  readonly has: (id: string) => Promise<boolean>
  /** Bytes currently cached. */
  readonly totalBytes: () => Promise<number>
}

/** LOKET_MEDIA_DIR, else `<dataDir>/media`, else (in-memory database) a fresh temp dir. */
export function resolveMediaCacheDir(cacheDir: string | undefined, dataDir: string | undefined): string {
  if (cacheDir !== undefined) return cacheDir
  if (dataDir !== undefined) return join(dataDir, "media")
  return mkdtempSync(join(tmpdir(), "loket-media-"))
}

const KEY = /^[A-Za-z0-9_-]{1,64}$/

interface Entry {
  readonly meta: MediaMeta
}

export function makeMediaCache(options: MediaCacheOptions): MediaCache {
  const { dir, maxBytes } = options
  const tmp = join(dir, "tmp")
  const dataPath = (id: string) => join(dir, `${id}.bin`)
  const metaPath = (id: string) => join(dir, `${id}.json`)
  /** Insertion order is recency order: the first entry is the least recently used. */
  const index = new Map<string, Entry>()
  let total = 0
  let ready: Promise<void> | undefined

  const checkKey = (id: string) => {
    if (!KEY.test(id)) throw new Error("media cache: invalid key")
  }

  function ensureReady(): Promise<void> {
    ready ??= load().catch((error) => {
      ready = undefined
      throw error
    })
    return ready
  }

  async function load() {
    await mkdir(dir, { recursive: true })
    await rm(tmp, { recursive: true, force: true })
    await mkdir(tmp, { recursive: true })
    const names = await readdir(dir)
    const found: Array<{ meta: MediaMeta; usedAt: number }> = []
    const kept = new Set<string>()
    for (const name of names) {
      const match = /^(.+)\.json$/.exec(name)
      if (!match || !KEY.test(match[1]!)) continue
      const id = match[1]!
      try {
        const meta = JSON.parse(await readFile(metaPath(id), "utf8")) as MediaMeta
        const data = await stat(dataPath(id))
        const metaStat = await stat(metaPath(id))
        if (meta.id !== id || data.size !== meta.size || typeof meta.mimeType !== "string") throw new Error("inconsistent")
        found.push({ meta, usedAt: metaStat.mtimeMs })
        kept.add(`${id}.bin`).add(`${id}.json`)
      } catch {
        await remove(id)
      }
    }
    for (const name of names) {
      if (name.endsWith(".bin") && !kept.has(name)) await unlink(join(dir, name)).catch(() => undefined)
    }
    found.sort((a, b) => a.usedAt - b.usedAt)
    for (const { meta } of found) {
      index.set(meta.id, { meta })
      total += meta.size
    }
    await evict()
  }

  async function remove(id: string) {
    await unlink(metaPath(id)).catch(() => undefined)
    await unlink(dataPath(id)).catch(() => undefined)
  }

  function forget(id: string) {
    const entry = index.get(id)
    if (entry === undefined) return
    index.delete(id)
    total -= entry.meta.size
  }

  /** Drops least recently used entries until the total fits under the cap. */
  async function evict() {
    while (total > maxBytes && index.size > 0) {
      const oldest = index.keys().next().value as string
      forget(oldest)
      await remove(oldest)
    }
  }

  async function openBody(id: string, expectedSize: number): Promise<ReadableStream<Uint8Array> | undefined> {
    let handle: FileHandle
    try {
      handle = await open(dataPath(id), "r")
    } catch {
      return undefined
    }
    const { size } = await handle.stat()
    if (size !== expectedSize) {
      await handle.close()
      return undefined
    }
    const stream = createReadStream("", { fd: handle, autoClose: true })
    return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>
  }

  async function get(id: string): Promise<OpenMedia | undefined> {
    checkKey(id)
    await ensureReady()
    const entry = index.get(id)
    if (entry === undefined) return undefined
    const body = await openBody(id, entry.meta.size)
    if (body === undefined) {
      forget(id)
      await remove(id)
      return undefined
    }
    index.delete(id)
    index.set(id, entry)
    const now = new Date()
    await utimes(metaPath(id), now, now).catch(() => undefined)
    return { meta: entry.meta, body }
  }

  async function put(partial: Omit<MediaMeta, "size" | "storedAt">, body: ReadableStream<Uint8Array>): Promise<OpenMedia> {
    const id = partial.id
    checkKey(id)
    await ensureReady()
    const part = join(tmp, `${id}.${randomUUID()}.part`)
    let size = 0
    const handle = await open(part, "wx")
    try {
      const reader = body.getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          size += value.byteLength
          await handle.write(value)
        }
      } catch (error) {
        reader.cancel().catch(() => undefined)
        throw error
      }
      await handle.datasync()
    } catch (error) {
      await handle.close().catch(() => undefined)
      await unlink(part).catch(() => undefined)
      throw error
    }
    await handle.close()

    const meta: MediaMeta = { ...partial, size, storedAt: new Date().toISOString() }
    const metaPart = `${part}.json`
    await writeFile(metaPart, JSON.stringify(meta))
    forget(id)
    await rename(part, dataPath(id))
    await rename(metaPart, metaPath(id))
    index.set(id, { meta })
    total += size
    // Open before evicting: when this file alone is over the cap it is still served once, then gone.
    const opened = await openBody(id, size)
    await evict()
    if (opened === undefined) throw new Error("media cache: a stored file vanished")
    return { meta, body: opened }
  }

  return {
    dir,
    get,
    put,
    has: async (id) => {
      checkKey(id)
      await ensureReady()
      return index.has(id)
    },
    totalBytes: async () => {
      await ensureReady()
      return total
    }
  }
}
