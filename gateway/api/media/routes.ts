/**
 * `GET /api/v1/media/:id`: a resident's photo, voice note, video or document, by its `Message.media.id`,
 * from the channel that owns the id (its adapter's `media`): from the on-disk cache when the channel
 * asks for caching (WhatsApp), else streamed from the provider. Channel-neutral: nothing here knows a
 * channel's ids or its provider.
 *
 * Errors (the contract's JSON shape): 400 `invalid_media_id`; the channel's `ChannelMediaFailure`
 * otherwise: 404 `media_not_found`; 503 `channel_not_configured`; 502 `channel_token_expired`,
 * `media_unavailable`, and WhatsApp's `media_host_not_allowed`, `media_too_large`,
 * `media_type_not_allowed`, `media_integrity_failed`.
 */
import { type Context, Hono } from "hono"
import { type ChannelAdapter, type ChannelMediaFailure, isChannelMediaFailure } from "../../../adapters/ChannelAdapter.ts"
import type { LoketConfigValue } from "../../../config/Config.ts"
import { jsonError } from "../../http/errors.ts"
import type { AuthEnv } from "../auth/index.ts"
import { mediaHeaders } from "./headers.ts"
import { makeMediaService } from "./media-service.ts"

export function mediaRoutes(config: LoketConfigValue, dataDir: string | undefined, channels: ReadonlyArray<ChannelAdapter>): Hono<AuthEnv> {
  const service = makeMediaService(config, dataDir)
  const serving = channels.filter((adapter) => adapter.media !== undefined)
  const formats = serving.map((adapter) => adapter.media!.idFormat ?? `an id from ${adapter.label}`)

  return new Hono<AuthEnv>().get("/:id", async function getMedia(c) {
    const id = c.req.param("id")
    const adapter = serving.find((candidate) => candidate.media!.owns(id))
    const media = adapter?.media
    if (adapter === undefined || media === undefined) {
      return jsonError(c, 400, "invalid_media_id", "The media id must be a Message.media.id from one of this Loket's channels.", [
        { path: "id", message: `expected ${formats.join(", or ") || "no media id: no channel serves media"}` }
      ])
    }
    const head = c.req.method === "HEAD"
    try {
      if (media.cached === true) {
        const { media: open } = await service.fetchCached(media, id)
        if (head) void open.body.cancel().catch(() => undefined)
        return new Response(head ? null : open.body, { status: 200, headers: mediaHeaders({ ...open.meta, id }) })
      }
      const file = await media.fetch(id)
      const headers = mediaHeaders({ id, mimeType: file.mimeType, sha256: file.sha256 ?? null, filename: file.filename, size: file.size ?? 0, storedAt: "" })
      if (file.size === null) headers.delete("content-length")
      // Not awaited: cancelling a provider's body may never settle; the answer is decided.
      if (head) void file.body.cancel().catch(() => undefined)
      return new Response(head ? null : file.body, { status: 200, headers })
    } catch (error) {
      if (!isChannelMediaFailure(error)) throw error
      return mediaFailure(c, adapter, error)
    }
  })
}

/** The channel's failure as the JSON answer, and its line for the administrators' log. */
function mediaFailure(c: Context, adapter: ChannelAdapter, failure: ChannelMediaFailure) {
  const line = failure.log === undefined ? (failure.status === 404 ? null : `Loket: ${adapter.label} media not fetched: ${failure.code}`) : failure.log
  if (line !== null) console.warn(line)
  return jsonError(c, failure.status, failure.code, failure.message, failure.details)
}
