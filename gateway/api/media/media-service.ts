/**
 * Media for agents: the cache first, else the Graph API media flow into the cache.
 * One download per media id at a time; a concurrent request waits for it and reads the cache.
 */
import { Data, Redacted } from "effect"
import { mediaHostPolicy, type ResolveHost } from "../../../adapters/whatsapp-cloud/media/allow-list.ts"
import { type GraphMediaClient, makeGraphMediaClient } from "../../../adapters/whatsapp-cloud/media/graph-media.ts"
import type { LoketConfigValue } from "../../../config/Config.ts"
import { makeMediaCache, type MediaCache, type OpenMedia, resolveMediaCacheDir } from "./cache.ts"

/** WHATSAPP_ACCESS_TOKEN is not set, so nothing can be fetched from Meta. */
export class ChannelNotConfigured extends Data.TaggedError("ChannelNotConfigured")<{ readonly message: string }> {}

export interface MediaServiceOptions {
  /** Graph API / media host timeout (default 15 s). */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
  /** Resolves download host names for the private-address check (default: the system resolver). */
  readonly resolve?: ResolveHost
}

export interface FetchedMedia {
  readonly media: OpenMedia
  readonly source: "cache" | "graph"
}

export interface MediaService {
  readonly cache: MediaCache
  /** Throws ChannelNotConfigured or one of graph-media.ts's errors. */
  readonly fetchMedia: (mediaId: string) => Promise<FetchedMedia>
}

const MiB = 1024 * 1024

export function makeMediaService(config: LoketConfigValue, dataDir: string | undefined, options: MediaServiceOptions = {}): MediaService {
  let cache: MediaCache | undefined
  const getCache = () =>
    (cache ??= makeMediaCache({ dir: resolveMediaCacheDir(config.media.cacheDir, dataDir), maxBytes: Math.max(0, config.media.cacheMaxMiB) * MiB }))
  const hosts = mediaHostPolicy(config.whatsapp.graphApiUrl, config.media.extraHosts)
  let client: GraphMediaClient | undefined
  const inflight = new Map<string, Promise<FetchedMedia>>()

  function graphClient(): GraphMediaClient {
    const token = config.whatsapp.accessToken
    if (token === undefined) {
      throw new ChannelNotConfigured({ message: "WHATSAPP_ACCESS_TOKEN is not set: Loket cannot fetch WhatsApp media." })
    }
    client ??= makeGraphMediaClient({
      graphApiUrl: config.whatsapp.graphApiUrl,
      accessToken: Redacted.value(token),
      hosts,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.resolve === undefined ? {} : { resolve: options.resolve })
    })
    return client
  }

  async function download(mediaId: string): Promise<FetchedMedia> {
    const graph = graphClient()
    const info = await graph.lookup(mediaId)
    const { body } = await graph.download(info)
    const media = await getCache().put({ id: mediaId, mimeType: info.mimeType, sha256: info.sha256, filename: null }, body)
    return { media, source: "graph" }
  }

  async function fetchMedia(mediaId: string): Promise<FetchedMedia> {
    const cached = await getCache().get(mediaId)
    if (cached !== undefined) return { media: cached, source: "cache" }
    const running = inflight.get(mediaId)
    if (running !== undefined) {
      await running
      const after = await getCache().get(mediaId)
      if (after !== undefined) return { media: after, source: "cache" }
    }
    const started = download(mediaId)
    inflight.set(mediaId, started)
    try {
      return await started
    } finally {
      if (inflight.get(mediaId) === started) inflight.delete(mediaId)
    }
  }

  return {
    get cache() {
      return getCache()
    },
    fetchMedia
  }
}
