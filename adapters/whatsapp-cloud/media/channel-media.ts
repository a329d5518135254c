/**
 * WhatsApp's side of `GET /api/v1/media/:id` (the adapter's `media`): the Graph API media flow
 * (./graph-media.ts, with its host allow-list and private-address check, ./allow-list.ts), its
 * typed errors turned into the answers the route gives and the lines administrators read.
 * Files are cached by the route (`cached: true`): Meta's download URLs are short-lived and each
 * fetch costs two Graph calls.
 */
import type { ChannelFile, ChannelMedia, ChannelMediaFailure } from "../../ChannelAdapter.ts"
import { mediaHostPolicy, type ResolveHost } from "./allow-list.ts"
import { type GraphMediaClient, type GraphMediaError, isGraphMediaError, makeGraphMediaClient } from "./graph-media.ts"

/** WhatsApp media ids are numeric (about 15–17 digits today). */
export const WHATSAPP_MEDIA_ID = /^[0-9]{1,32}$/

export interface WhatsAppMediaOptions {
  /** Graph API / media host timeout (default 15 s). */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
  /** Resolves download host names for the private-address check (default: the system resolver). */
  readonly resolve?: ResolveHost
}

export interface WhatsAppMediaSettings {
  readonly graphApiUrl: string
  /** WHATSAPP_ACCESS_TOKEN; undefined → `503 channel_not_configured`. */
  readonly accessToken: string | undefined
  /** LOKET_MEDIA_HOSTS. */
  readonly extraHosts: ReadonlyArray<string>
}

const NOT_CONFIGURED: ChannelMediaFailure = {
  status: 503,
  code: "channel_not_configured",
  message: "WhatsApp is not configured on this Loket: an administrator must set WHATSAPP_ACCESS_TOKEN to fetch media.",
  log: null
}

export function makeWhatsAppMedia(settings: WhatsAppMediaSettings, options: WhatsAppMediaOptions = {}): ChannelMedia {
  const hosts = mediaHostPolicy(settings.graphApiUrl, settings.extraHosts)
  const token = settings.accessToken
  const client: GraphMediaClient | undefined = token === undefined ? undefined : makeGraphMediaClient({
    graphApiUrl: settings.graphApiUrl,
    accessToken: token,
    hosts,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.resolve === undefined ? {} : { resolve: options.resolve })
  })

  async function fetchFile(id: string): Promise<ChannelFile> {
    if (client === undefined) throw NOT_CONFIGURED
    const download = await client.lookup(id).then(client.download).catch((error: unknown) => {
      throw isGraphMediaError(error) ? mediaFailure(error) : error
    })
    return {
      body: failuresAsChannelFailures(download.body),
      mimeType: download.info.mimeType,
      size: download.contentLength ?? download.info.fileSize,
      filename: null,
      sha256: download.info.sha256
    }
  }

  return { owns: (id) => WHATSAPP_MEDIA_ID.test(id), fetch: fetchFile, cached: true, idFormat: "1 to 32 digits (WhatsApp)" }
}

/** The answer and the log line for each of graph-media.ts's errors (never the token, the URL or content). */
export function mediaFailure(error: GraphMediaError): ChannelMediaFailure {
  switch (error._tag) {
    case "MediaNotFound":
      return { status: 404, code: "media_not_found", message: "Meta does not know this media id, or it has expired (WhatsApp keeps media about 30 days).", log: null }
    case "MediaTokenExpired":
      return {
        status: 502,
        code: "channel_token_expired",
        message: "Meta refused Loket's WhatsApp access token (expired or revoked). An administrator must set a new WHATSAPP_ACCESS_TOKEN.",
        log: "Loket: the Graph API refused WHATSAPP_ACCESS_TOKEN (error 190: expired or revoked) while fetching media; an administrator must renew it."
      }
    case "MediaUnavailable":
      return {
        status: 502,
        code: "media_unavailable",
        message: `The media could not be fetched from WhatsApp (${error.message}); try again later.`,
        log: `Loket: media download failed: ${error.message}`
      }
    case "MediaHostRefused":
      return {
        status: 502,
        code: "media_host_not_allowed",
        message: "WhatsApp pointed to a media host Loket may not fetch from: not on its allow-list (an administrator can add it with LOKET_MEDIA_HOSTS), or it resolves to a private address.",
        log: `Loket: ${error.message}`
      }
    case "MediaTooLarge":
      return { status: 502, code: "media_too_large", message: `The media is larger than WhatsApp allows for its type (${error.limit} bytes); Loket does not serve it.`, log: null }
    case "MediaTypeRefused":
      // The attachment allow-list (resident safety): executables, macro documents and archives are never fetched for agents.
      return {
        status: 502, code: "media_type_not_allowed",
        message: `Loket does not serve media of type ${error.mimeType}${error.reason === undefined ? "." : `: ${error.reason}`}`,
        details: [{ path: "mimeType", message: error.refusal === undefined ? `${error.mimeType} is not on the attachment allow-list` : `${error.refusal}: ${error.reason ?? ""}` }],
        log: null
      }
    case "MediaIntegrityFailed":
      return {
        status: 502,
        code: "media_integrity_failed",
        message: "The media did not match the checksum Meta gave for it; it was not stored. Try again later.",
        log: `Loket: ${error.message}; not cached`
      }
  }
}

/** The same bytes; a guarded body's error (limit, stall, sha256) becomes the `ChannelMediaFailure` the route answers. */
function failuresAsChannelFailures(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read().catch((error: unknown) => ({ failed: isGraphMediaError(error) ? mediaFailure(error) : error }))
      if ("failed" in chunk) return controller.error(chunk.failed)
      if (chunk.done) return controller.close()
      controller.enqueue(chunk.value)
    },
    cancel(reason) {
      // Not awaited: the guarded body aborts its download; waiting on an aborted body can hang.
      reader.cancel(reason).catch(() => undefined)
    }
  })
}
