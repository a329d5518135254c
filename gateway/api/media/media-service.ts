/**
 * Residents' files for agents, for every channel: a channel that asks for caching (`media.cached`)
 * is served from the on-disk cache first, else fetched through its adapter into the cache, one
 * download per media id at a time (a concurrent request waits for it, and shares its failure). Other
 * channels stream straight from their provider. Channel-neutral: the channel's own flow is its
 * adapter's `media` (adapters/ChannelAdapter.ts).
 */
import { createHash } from "node:crypto"
import type { ChannelFile, ChannelMedia } from "../../../adapters/ChannelAdapter.ts"
import type { LoketConfigValue } from "../../../config/Config.ts"
import { makeMediaCache, type MediaCache, type OpenMedia, resolveMediaCacheDir } from "./cache.ts"

export interface FetchedMedia {
  readonly media: OpenMedia
  readonly source: "cache" | "channel"
}

export interface MediaService {
  readonly cache: MediaCache
  /** From the cache, or through `media.fetch` into it. Rejects with what `media.fetch` or its body rejects with. */
  readonly fetchCached: (media: ChannelMedia, mediaId: string) => Promise<FetchedMedia>
}

const MiB = 1024 * 1024
/** The cache's own key rule (cache.ts). */
const PLAIN_KEY = /^(?!h_)[A-Za-z0-9_-]{1,64}$/

/**
 * The cache key for a media id: the id itself when the cache can take it as a file name (WhatsApp's
 * digits: `<id>.bin`), else `h_` and the id's sha256 (channels' ids never overlap, so neither do keys).
 */
export function mediaCacheKey(mediaId: string): string {
  if (PLAIN_KEY.test(mediaId)) return mediaId
  return `h_${createHash("sha256").update(mediaId).digest("base64url")}`
}

export function makeMediaService(config: LoketConfigValue, dataDir: string | undefined): MediaService {
  let cache: MediaCache | undefined
  const getCache = () =>
    (cache ??= makeMediaCache({ dir: resolveMediaCacheDir(config.media.cacheDir, dataDir), maxBytes: Math.max(0, config.media.cacheMaxMiB) * MiB }))
  const inflight = new Map<string, Promise<FetchedMedia>>()

  async function download(media: ChannelMedia, mediaId: string, key: string): Promise<FetchedMedia> {
    const file: ChannelFile = await media.fetch(mediaId)
    const stored = await getCache().put({ id: key, mimeType: file.mimeType, sha256: file.sha256 ?? null, filename: file.filename }, file.body)
    return { media: stored, source: "channel" }
  }

  async function fetchCached(media: ChannelMedia, mediaId: string): Promise<FetchedMedia> {
    const key = mediaCacheKey(mediaId)
    const cached = await getCache().get(key)
    if (cached !== undefined) return { media: cached, source: "cache" }
    const running = inflight.get(key)
    if (running !== undefined) {
      await running
      const after = await getCache().get(key)
      if (after !== undefined) return { media: after, source: "cache" }
    }
    const started = download(media, mediaId, key)
    inflight.set(key, started)
    try {
      return await started
    } finally {
      if (inflight.get(key) === started) inflight.delete(key)
    }
  }

  return {
    get cache() {
      return getCache()
    },
    fetchCached
  }
}
