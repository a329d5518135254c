/**
 * The WhatsApp Cloud API media flow: `GET {GRAPH_API_URL}/{media-id}` (Bearer) → `{ url, mime_type, sha256, file_size }`,
 * then a guarded download of `url` with the same Bearer header.
 *
 * Guards: the download host must pass the allow-list (./allow-list.ts), and a host name must not resolve to a
 * private address, before the token is sent; redirects are
 * never followed; the MIME type must be allowed; `file_size`, `Content-Length` and the bytes actually streamed
 * are held to WhatsApp's limit for the type; the stream verifies Meta's sha256 at its end and errors on a
 * mismatch instead of closing. Every failure is one of the typed errors below. Nothing here logs: the caller
 * decides what an admin needs to see (never the token, never the URL, never content).
 */
import { createHash } from "node:crypto"
import { Data } from "effect"
import { type AttachmentVerdict, checkAttachment } from "../../../domain/safety/attachments/AttachmentPolicy.ts"
import { baseMimeType, checkMediaUrl, checkResolvedHost, type MediaHostPolicy, mediaKind, type ResolveHost, sizeLimit, systemResolver } from "./allow-list.ts"

/** Meta does not know the media id (Graph 404 or error code 100), or it has expired. */
export class MediaNotFound extends Data.TaggedError("MediaNotFound")<{ readonly message: string }> {}
/** The access token is expired or revoked (Graph error code 190). */
export class MediaTokenExpired extends Data.TaggedError("MediaTokenExpired")<{ readonly message: string }> {}
/** The Graph API or the media host failed, timed out, redirected or answered something unusable. */
export class MediaUnavailable extends Data.TaggedError("MediaUnavailable")<{ readonly message: string }> {}
/** The download URL's host is not on the allow-list (the token was not sent). */
export class MediaHostRefused extends Data.TaggedError("MediaHostRefused")<{ readonly message: string }> {}
/** The media is larger than WhatsApp's limit for its type. */
export class MediaTooLarge extends Data.TaggedError("MediaTooLarge")<{ readonly message: string; readonly limit: number }> {}
/** The MIME type is not one Loket serves (e.g. text/html, image/svg+xml). */
/** The type is not on the attachment allow-list (domain/safety/attachments); `reason` says why, for the agent. */
export class MediaTypeRefused extends Data.TaggedError("MediaTypeRefused")<{ readonly message: string; readonly mimeType: string; readonly reason?: string; readonly refusal?: AttachmentRefusal }> {}
/** The bytes do not match the sha256 Meta gave. */
export class MediaIntegrityFailed extends Data.TaggedError("MediaIntegrityFailed")<{ readonly message: string }> {}

export type GraphMediaError =
  | MediaNotFound
  | MediaTokenExpired
  | MediaUnavailable
  | MediaHostRefused
  | MediaTooLarge
  | MediaTypeRefused
  | MediaIntegrityFailed

type AttachmentRefusal = Extract<AttachmentVerdict, { allowed: false }>["code"]

function refused(mimeType: string, verdict: Extract<AttachmentVerdict, { allowed: false }>, message: string): MediaTypeRefused {
  return new MediaTypeRefused({ message, mimeType: baseMimeType(mimeType), reason: verdict.reason, refusal: verdict.code })
}

export function isGraphMediaError(error: unknown): error is GraphMediaError {
  return error instanceof MediaNotFound || error instanceof MediaTokenExpired || error instanceof MediaUnavailable ||
    error instanceof MediaHostRefused || error instanceof MediaTooLarge || error instanceof MediaTypeRefused ||
    error instanceof MediaIntegrityFailed
}

/** What the Graph API says about one media id. */
export interface MediaInfo {
  readonly id: string
  readonly url: string
  readonly mimeType: string
  /** As Meta gave it (hex or base64), or null. */
  readonly sha256: string | null
  readonly fileSize: number | null
}

/** A download in progress: the body errors (never closes) on a limit, a timeout or a sha256 mismatch. */
export interface MediaDownload {
  readonly info: MediaInfo
  /** Content-Length of the download, when the host sent one. */
  readonly contentLength: number | null
  readonly body: ReadableStream<Uint8Array>
}

export interface GraphMediaClientOptions {
  /** GRAPH_API_URL, version included, no trailing slash. */
  readonly graphApiUrl: string
  readonly accessToken: string
  readonly hosts: MediaHostPolicy
  /** Time for the lookup, for the download's headers, and the longest pause between two chunks. Default 15 s. */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
  /** How download host names are resolved for the private-address check (default: the system resolver). */
  readonly resolve?: ResolveHost
}

export interface GraphMediaClient {
  readonly lookup: (mediaId: string) => Promise<MediaInfo>
  readonly download: (info: MediaInfo) => Promise<MediaDownload>
}

export const DEFAULT_MEDIA_TIMEOUT_MS = 15_000
/** A Graph API JSON answer is small; more than this is not one. */
const MAX_JSON_BYTES = 64 * 1024

export function makeGraphMediaClient(options: GraphMediaClientOptions): GraphMediaClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS
  const doFetch = options.fetch ?? globalThis.fetch
  const authorization = `Bearer ${options.accessToken}`
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`

  async function lookup(mediaId: string): Promise<MediaInfo> {
    const response = await doFetch(`${options.graphApiUrl}/${encodeURIComponent(mediaId)}`, {
      method: "GET",
      headers: { authorization, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs)
    }).catch((error: unknown) => {
      throw isTimeout(error)
        ? new MediaUnavailable({ message: `the Graph API did not answer the media lookup within ${seconds}` })
        : new MediaUnavailable({ message: "the Graph API could not be reached for the media lookup" })
    })
    if (isRedirect(response)) {
      await discard(response)
      throw new MediaUnavailable({ message: `the Graph API answered the media lookup with a redirect (${response.status}); redirects are not followed` })
    }
    const body = await readJson(response, timeoutMs)
    if (!response.ok) throw graphError(response.status, body)
    return mediaInfo(mediaId, body)
  }

  async function download(info: MediaInfo): Promise<MediaDownload> {
    const attachment = checkAttachment(info.mimeType)
    if (!attachment.allowed) throw refused(info.mimeType, attachment, `media of type ${baseMimeType(info.mimeType)} is not served`)
    if (mediaKind(info.mimeType) === undefined) {
      throw new MediaTypeRefused({ message: `media of type ${baseMimeType(info.mimeType)} is not served`, mimeType: baseMimeType(info.mimeType) })
    }
    const limit = sizeLimit(info.mimeType)
    if (info.fileSize !== null && info.fileSize > limit) throw tooLarge(info.fileSize, limit)
    const check = checkMediaUrl(info.url, options.hosts)
    if (!check.ok) throw new MediaHostRefused({ message: `media download refused: ${check.reason}` })
    const resolved = await checkResolvedHost(check.url, options.hosts, options.resolve ?? systemResolver).catch(() => {
      throw new MediaUnavailable({ message: `the media host ${check.url.hostname} could not be resolved` })
    })
    if (!resolved.ok) throw new MediaHostRefused({ message: `media download refused: ${resolved.reason}` })

    const abort = new AbortController()
    const headersTimer = setTimeout(() => abort.abort(new TimeoutSignal()), timeoutMs)
    let response: Response
    try {
      response = await doFetch(check.url, { method: "GET", headers: { authorization }, redirect: "manual", signal: abort.signal })
    } catch (error) {
      throw isTimeout(error) || abort.signal.aborted
        ? new MediaUnavailable({ message: `the media host did not answer within ${seconds}` })
        : new MediaUnavailable({ message: "the media host could not be reached" })
    } finally {
      clearTimeout(headersTimer)
    }
    const fail = async (error: GraphMediaError): Promise<never> => {
      abort.abort()
      await discard(response)
      throw error
    }
    if (isRedirect(response)) return fail(new MediaUnavailable({ message: `the media host answered with a redirect (${response.status}); redirects are not followed` }))
    if (!response.ok || response.body === null) return fail(new MediaUnavailable({ message: `the media host answered ${response.status}` }))
    const announcedType = response.headers.get("content-type")
    const announcedCheck = announcedType === null || isNeutralType(announcedType) ? undefined : checkAttachment(announcedType)
    if (announcedType !== null && announcedCheck !== undefined && !announcedCheck.allowed) {
      return fail(refused(announcedType, announcedCheck, `the media host sent ${baseMimeType(announcedType)}, which is not served`))
    }
    if (announcedType !== null && !isNeutralType(announcedType) && mediaKind(announcedType) === undefined) {
      return fail(new MediaTypeRefused({ message: `the media host sent ${baseMimeType(announcedType)}, which is not served`, mimeType: baseMimeType(announcedType) }))
    }
    const lengthHeader = response.headers.get("content-length")
    const contentLength = lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : null
    if (contentLength !== null && contentLength > limit) return fail(tooLarge(contentLength, limit))
    return { info, contentLength, body: guardedBody(response.body, { limit, timeoutMs, seconds, abort, sha256: info.sha256 }) }
  }

  return { lookup, download }
}

interface GuardOptions {
  readonly limit: number
  readonly timeoutMs: number
  readonly seconds: string
  readonly abort: AbortController
  readonly sha256: string | null
}

/** Counts bytes (error past the limit), times out a stalled host, and checks the sha256 before closing. */
function guardedBody(source: ReadableStream<Uint8Array>, guard: GuardOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  const hash = createHash("sha256")
  let total = 0
  const stop = (controller: ReadableStreamDefaultController<Uint8Array>, error: GraphMediaError) => {
    guard.abort.abort()
    reader.cancel().catch(() => undefined)
    controller.error(error)
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined
      // Race the read: an aborted fetch does not always error a body that is already streaming.
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          guard.abort.abort(new TimeoutSignal())
          reject(new TimeoutSignal())
        }, guard.timeoutMs)
      })
      let chunk: Awaited<ReturnType<typeof reader.read>>
      try {
        chunk = await Promise.race([reader.read(), stalled])
      } catch (error) {
        return stop(controller, isTimeout(error) || guard.abort.signal.reason instanceof TimeoutSignal
          ? new MediaUnavailable({ message: `the media host stopped sending for ${guard.seconds}` })
          : new MediaUnavailable({ message: "the media download broke off" }))
      } finally {
        clearTimeout(timer)
      }
      if (chunk.done) {
        if (guard.sha256 !== null && !sameSha256(guard.sha256, hash.digest())) {
          return stop(controller, new MediaIntegrityFailed({ message: "the media does not match the sha256 Meta gave for it" }))
        }
        return controller.close()
      }
      total += chunk.value.byteLength
      if (total > guard.limit) return stop(controller, tooLarge(total, guard.limit, true))
      hash.update(chunk.value)
      controller.enqueue(chunk.value)
    },
    cancel(reason) {
      guard.abort.abort()
      reader.cancel(reason).catch(() => undefined)
    }
  })
}

/** Meta gives sha256 as hex (media lookup) or base64 (webhooks); anything else does not match. */
export function sameSha256(expected: string, digest: Uint8Array): boolean {
  const text = expected.trim()
  const actual = Buffer.from(digest)
  if (/^[0-9a-f]{64}$/i.test(text)) return actual.toString("hex") === text.toLowerCase()
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const decoded = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")
    return decoded.length === 32 && decoded.equals(actual)
  }
  return false
}

function tooLarge(size: number, limit: number, streamed = false) {
  return new MediaTooLarge({
    message: `the media is ${streamed ? "over" : `${size} bytes, over`} the ${limit} byte limit for its type`,
    limit
  })
}

function graphError(status: number, body: unknown): GraphMediaError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  const code = error !== undefined && typeof error.code === "number" ? error.code : undefined
  if (code === 190) return new MediaTokenExpired({ message: "the WhatsApp access token is expired or revoked (Graph error 190)" })
  if (status === 404 || code === 100) return new MediaNotFound({ message: "Meta does not know this media id (or it has expired)" })
  return new MediaUnavailable({ message: `the Graph API answered the media lookup with ${status}${code === undefined ? "" : ` (error code ${code})`}` })
}

function mediaInfo(mediaId: string, body: unknown): MediaInfo {
  if (!isRecord(body) || typeof body.url !== "string" || typeof body.mime_type !== "string" || body.mime_type.length === 0) {
    throw new MediaUnavailable({ message: "the Graph API's media lookup answer has no url or mime_type" })
  }
  if (body.id !== undefined && String(body.id) !== mediaId) {
    throw new MediaUnavailable({ message: "the Graph API's media lookup answered for another media id" })
  }
  const size = typeof body.file_size === "number" ? body.file_size : typeof body.file_size === "string" && /^\d+$/.test(body.file_size) ? Number(body.file_size) : null
  return {
    id: mediaId,
    url: body.url,
    mimeType: body.mime_type.trim(),
    sha256: typeof body.sha256 === "string" && body.sha256.length > 0 ? body.sha256 : null,
    fileSize: size !== null && Number.isSafeInteger(size) && size >= 0 ? size : null
  }
}

/** The JSON of a Graph answer (undefined when it is not JSON), read with a size cap. */
async function readJson(response: Response, timeoutMs: number): Promise<unknown> {
  if (response.body === null) return undefined
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  let deadline: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new TimeoutSignal()), timeoutMs)
  })
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired])
      if (done) break
      total += value.byteLength
      if (total > MAX_JSON_BYTES) throw new MediaUnavailable({ message: "the Graph API's media lookup answer is too large" })
      chunks.push(value)
    }
  } catch (error) {
    reader.cancel().catch(() => undefined)
    if (error instanceof MediaUnavailable) throw error
    throw new MediaUnavailable({ message: isTimeout(error) ? "the Graph API's media lookup answer timed out" : "the Graph API's media lookup answer broke off" })
  } finally {
    clearTimeout(deadline)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"))
  } catch {
    return undefined
  }
}

/** Our own abort reason for a timeout (so it can be told from a client going away). */
class TimeoutSignal extends Error {
  constructor() {
    super("timeout")
    this.name = "TimeoutError"
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutSignal || (error instanceof Error && (error.name === "TimeoutError" || error.cause instanceof TimeoutSignal)) ||
    (typeof DOMException !== "undefined" && error instanceof DOMException && error.name === "TimeoutError")
}

function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)
}

/** A host may label media generically; only an explicit, refused type is refused. */
function isNeutralType(contentType: string): boolean {
  const base = baseMimeType(contentType)
  return base === "application/octet-stream" || base === "binary/octet-stream" || base === ""
}

/** Lets go of an answer's body without waiting (cancelling an aborted body can hang). */
async function discard(response: Response): Promise<void> {
  response.body?.cancel().catch(() => undefined)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
