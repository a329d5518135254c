/**
 * `GET /api/v1/media/:id`: a resident's photo, voice note, video or document, by the WhatsApp media id
 * (`Message.media.id`), from the on-disk cache or through the Graph API media flow.
 *
 * Errors (the contract's JSON shape): 400 `invalid_media_id`; 404 `media_not_found`; 503 `channel_not_configured`;
 * 502 `channel_token_expired`, `media_unavailable`, `media_host_not_allowed`, `media_too_large`,
 * `media_type_not_allowed`, `media_integrity_failed`.
 */
import { type Context, Hono } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { baseMimeType, mediaKind } from "../../../adapters/whatsapp-cloud/media/allow-list.ts"
import {
  type GraphMediaError,
  isGraphMediaError
} from "../../../adapters/whatsapp-cloud/media/graph-media.ts"
import { type ChannelAdapter, type ChannelFile, isChannelMediaFailure } from "../../../adapters/ChannelAdapter.ts"
import type { LoketConfigValue } from "../../../config/Config.ts"
import { jsonError } from "../../http/errors.ts"
import type { AuthEnv } from "../auth/index.ts"
import type { MediaMeta } from "./cache.ts"
import { ChannelNotConfigured, makeMediaService, type MediaServiceOptions } from "./media-service.ts"

/** WhatsApp media ids are numeric (about 15–17 digits today). */
export const MEDIA_ID = /^[0-9]{1,32}$/

export type MediaRouteOptions = MediaServiceOptions

export function mediaRoutes(
  config: LoketConfigValue,
  dataDir: string | undefined,
  options: MediaRouteOptions = {},
  channels: ReadonlyArray<ChannelAdapter> = []
): Hono<AuthEnv> {
  const service = makeMediaService(config, dataDir, options)

  return new Hono<AuthEnv>().get("/:id", async function getMedia(c) {
    const id = c.req.param("id")
    const other = MEDIA_ID.test(id) ? undefined : channels.find((adapter) => adapter.media?.owns(id) === true)
    if (other?.media !== undefined) {
      let file: ChannelFile
      try {
        file = await other.media.fetch(id)
      } catch (error) {
        if (!isChannelMediaFailure(error)) throw error
        if (error.status !== 404) console.warn(`Loket: ${other.label} media not fetched: ${error.code}`)
        return jsonError(c, error.status, error.code, error.message)
      }
      const headers = mediaHeaders({ id, mimeType: file.mimeType, sha256: null, filename: file.filename, size: file.size ?? 0, storedAt: "" })
      if (file.size === null) headers.delete("content-length")
      if (c.req.method === "HEAD") await file.body.cancel()
      return new Response(c.req.method === "HEAD" ? null : file.body, { status: 200, headers })
    }
    if (!MEDIA_ID.test(id)) {
      return jsonError(c, 400, "invalid_media_id", "The media id must be the WhatsApp media id from Message.media.id: digits only, at most 32.", [
        { path: "id", message: "expected 1 to 32 digits" }
      ])
    }
    try {
      const { media } = await service.fetchMedia(id)
      if (c.req.method === "HEAD") await media.body.cancel()
      return new Response(c.req.method === "HEAD" ? null : media.body, { status: 200, headers: mediaHeaders(media.meta) })
    } catch (error) {
      if (error instanceof ChannelNotConfigured) {
        return jsonError(c, 503, "channel_not_configured", "WhatsApp is not configured on this Loket: an administrator must set WHATSAPP_ACCESS_TOKEN to fetch media.")
      }
      if (isGraphMediaError(error)) return mediaError(c, error)
      throw error
    }
  })
}

/** The answer headers for a cached file. */
export function mediaHeaders(meta: MediaMeta): Headers {
  const kind = mediaKind(meta.mimeType)
  const disposition = kind === "document" || kind === undefined ? "attachment" : "inline"
  const filename = downloadName(meta)
  return new Headers({
    "content-type": safeContentType(meta.mimeType),
    "content-length": String(meta.size),
    "cache-control": "private, max-age=3600",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "content-disposition": `${disposition}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`
  })
}

function mediaError(c: Context, error: GraphMediaError) {
  const answer = (status: ContentfulStatusCode, code: string, message: string) => jsonError(c, status, code, message)
  switch (error._tag) {
    case "MediaNotFound":
      return answer(404, "media_not_found", "Meta does not know this media id, or it has expired (WhatsApp keeps media about 30 days).")
    case "MediaTokenExpired":
      console.warn("Loket: the Graph API refused WHATSAPP_ACCESS_TOKEN (error 190: expired or revoked) while fetching media; an administrator must renew it.")
      return answer(502, "channel_token_expired", "Meta refused Loket's WhatsApp access token (expired or revoked). An administrator must set a new WHATSAPP_ACCESS_TOKEN.")
    case "MediaUnavailable":
      console.warn(`Loket: media download failed: ${error.message}`)
      return answer(502, "media_unavailable", `The media could not be fetched from WhatsApp (${error.message}); try again later.`)
    case "MediaHostRefused":
      console.warn(`Loket: ${error.message}`)
      return answer(502, "media_host_not_allowed", "WhatsApp pointed to a media host Loket may not fetch from: not on its allow-list (an administrator can add it with LOKET_MEDIA_HOSTS), or it resolves to a private address.")
    case "MediaTooLarge":
      return answer(502, "media_too_large", `The media is larger than WhatsApp allows for its type (${error.limit} bytes); Loket does not serve it.`)
    case "MediaTypeRefused":
      return jsonError(c, 502, "media_type_not_allowed", `Loket does not serve media of type ${error.mimeType}${error.reason === undefined ? "." : `: ${error.reason}`}`, [
        { path: "mimeType", message: error.refusal === undefined ? `${error.mimeType} is not on the attachment allow-list` : `${error.refusal}: ${error.reason ?? ""}` }
      ])
    case "MediaIntegrityFailed":
      console.warn(`Loket: ${error.message}; not cached`)
      return answer(502, "media_integrity_failed", "The media did not match the checksum Meta gave for it; it was not stored. Try again later.")
  }
}

/** Meta's type when it is a clean `type/subtype[; param=value]`, else its base type. */
function safeContentType(mimeType: string): string {
  return /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w-]+=[\w.+-]+)*$/.test(mimeType) ? mimeType : baseMimeType(mimeType)
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/ogg": "ogg",
  "audio/opus": "opus",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/csv": "csv",
  "application/rtf": "rtf",
  "application/msword": "doc",
  "application/vnd.ms-excel": "xls",
  "application/vnd.ms-powerpoint": "ppt",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  "application/vnd.oasis.opendocument.text": "odt",
  "application/vnd.oasis.opendocument.spreadsheet": "ods",
  "application/vnd.oasis.opendocument.presentation": "odp"
}

/** The resident's filename when known, else `<id>.<ext>`. */
function downloadName(meta: MediaMeta): string {
  const known = meta.filename?.replace(/[\u0000-\u001f\u007f/\\]/g, "_").trim()
  if (known) return known.slice(0, 200)
  return `${meta.id}.${EXTENSIONS[baseMimeType(meta.mimeType)] ?? "bin"}`
}
