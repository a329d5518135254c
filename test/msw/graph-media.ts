/**
 * msw 2 handlers standing in for the WhatsApp Cloud API media endpoints:
 * `GET {GRAPH_API_URL}/{media-id}` → `{ messaging_product, url, mime_type, sha256, file_size, id }` and the
 * download of that `url` (on the Graph host itself, or on Meta's `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…`).
 *
 * Each request is checked the way Meta documents it — GET, `Authorization: Bearer <the configured token>`,
 * path `/{version}/{media-id}` — and anything else is recorded in `problems` (and answered like Meta would:
 * 401 code 190 for a bad token, 400 code 100 for a bad request). Call `assertValid()` after each test.
 */
import { createHash } from "node:crypto"
import { delay, http, type HttpHandler, HttpResponse } from "msw"

export const LOOKASIDE = "https://lookaside.fbsbx.com/whatsapp_business/attachments/"

/**
 * A stand-in for DNS (the sandbox has none): the public addresses Meta's lookaside host and the
 * tests' other hosts resolve to, plus `records`; an unknown name (or one given as null) fails as the
 * resolver would.
 */
export function standInDns(records: Readonly<Record<string, ReadonlyArray<string> | null>> = {}) {
  const all: Record<string, ReadonlyArray<string> | null> = { "lookaside.fbsbx.com": ["157.240.201.1", "2a03:2880:f10e:83:face:b00c:0:25de"], "evil.example": ["93.184.215.14"], ...records }
  return async (hostname: string): Promise<ReadonlyArray<string>> => {
    const found = all[hostname]
    if (found === undefined || found === null) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" })
    return found
  }
}

export interface FakeMedia {
  readonly bytes: Uint8Array
  readonly mimeType: string
  /** The sha256 the lookup announces: default the true hex digest; null leaves it out. */
  readonly sha256?: string | null
  /** The file_size the lookup announces: default the true size; null leaves it out. */
  readonly fileSize?: number | null
  /** Where the lookup's `url` points: "graph" (default, the Graph host over http), "lookaside", or any URL. */
  readonly url?: "graph" | "lookaside" | string
  /** How the lookup misbehaves: hang forever, or a Graph error. */
  readonly lookup?: "hang" | { readonly status: number; readonly code: number; readonly message?: string }
  /** How the download misbehaves: hang before answering, stall after the first bytes, redirect, or another status. */
  readonly download?: "hang" | "stall" | "redirect" | { readonly status: number }
  /** Extra or overriding download headers (e.g. a lying Content-Length or Content-Type). */
  readonly downloadHeaders?: Readonly<Record<string, string>>
  /** Leave Content-Length out of the download (as a chunked answer would). */
  readonly chunked?: boolean
}

export interface GraphMediaMock {
  readonly handlers: ReadonlyArray<HttpHandler>
  readonly calls: { readonly lookups: Array<string>; readonly downloads: Array<string> }
  /** Requests that did not follow Meta's documented shape. */
  readonly problems: Array<string>
  readonly add: (id: string, media: FakeMedia) => void
  /** Throws when any request broke the rules. */
  readonly assertValid: () => void
  /** Forgets media, calls and problems. */
  readonly reset: () => void
}

export interface GraphMediaMockOptions {
  /** GRAPH_API_URL, e.g. `http://127.0.0.1:9/v23.0` (msw answers; nothing listens). */
  readonly graphApiUrl: string
  readonly accessToken: string
}

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

export function graphMediaMock(options: GraphMediaMockOptions): GraphMediaMock {
  const graph = new URL(options.graphApiUrl)
  const base = options.graphApiUrl.replace(/\/+$/, "")
  const media = new Map<string, FakeMedia>()
  const calls = { lookups: [] as Array<string>, downloads: [] as Array<string> }
  const problems: Array<string> = []

  const graphError = (status: number, code: number, message: string) =>
    HttpResponse.json({ error: { message, type: "OAuthException", code, fbtrace_id: "AbCdEfGhIjK" } }, { status })

  /** The checks Meta applies to both the lookup and the download; a problem is recorded and answered. */
  function refuse(request: Request, what: string): Response | undefined {
    if (request.method !== "GET") {
      problems.push(`${what}: method ${request.method}, expected GET`)
      return graphError(400, 100, "Unsupported request - method type")
    }
    const authorization = request.headers.get("authorization")
    if (authorization !== `Bearer ${options.accessToken}`) {
      problems.push(`${what}: ${authorization === null ? "no Authorization header" : "wrong Authorization header"}`)
      return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token")
    }
    return undefined
  }

  function downloadUrl(id: string, item: FakeMedia): string {
    const hash = `${Date.now().toString(36)}Zz`
    if (item.url === undefined || item.url === "graph") return `${graph.origin}/_media/${id}?ext=1700000000&hash=${hash}`
    if (item.url === "lookaside") return `${LOOKASIDE}?mid=${id}&ext=1700000000&hash=${hash}`
    return item.url
  }

  async function answerDownload(request: Request, id: string | null): Promise<Response> {
    calls.downloads.push(id ?? "?")
    const refused = refuse(request, "media download")
    if (refused) return refused
    const item = id === null ? undefined : media.get(id)
    if (item === undefined) return new HttpResponse(null, { status: 404 })
    const behaviour = item.download
    if (behaviour === "hang") {
      await delay("infinite")
    }
    if (behaviour === "redirect") {
      return new HttpResponse(null, { status: 302, headers: { location: `${LOOKASIDE}?mid=${id}&moved=1` } })
    }
    if (typeof behaviour === "object") return new HttpResponse(null, { status: behaviour.status })
    const headers: Record<string, string> = {
      "content-type": item.mimeType,
      ...(item.chunked ? {} : { "content-length": String(item.bytes.byteLength) }),
      ...item.downloadHeaders
    }
    if (behaviour === "stall") {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(item.bytes.subarray(0, Math.min(16, item.bytes.byteLength)))
        }
      })
      return new HttpResponse(stream, { status: 200, headers })
    }
    return new HttpResponse(item.bytes.slice(), { status: 200, headers })
  }

  const handlers: Array<HttpHandler> = [
    http.all(`${graph.origin}/_media/:mediaId`, ({ request, params }) => answerDownload(request, String(params.mediaId))),
    http.all(LOOKASIDE, ({ request }) => answerDownload(request, new URL(request.url).searchParams.get("mid"))),
    http.all(`${base}/:mediaId`, async ({ request, params }) => {
      const id = String(params.mediaId)
      calls.lookups.push(id)
      const path = new URL(request.url).pathname
      if (!/^\/v\d+\.\d+\/[^/]+$/.test(path)) problems.push(`media lookup: path ${path} is not /{version}/{media-id}`)
      const refused = refuse(request, "media lookup")
      if (refused) return refused
      const item = media.get(id)
      if (item === undefined) {
        return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`)
      }
      if (item.lookup === "hang") await delay("infinite")
      if (typeof item.lookup === "object") return graphError(item.lookup.status, item.lookup.code, item.lookup.message ?? "Error")
      return HttpResponse.json({
        messaging_product: "whatsapp",
        url: downloadUrl(id, item),
        mime_type: item.mimeType,
        ...(item.sha256 === null ? {} : { sha256: item.sha256 ?? sha256Hex(item.bytes) }),
        ...(item.fileSize === null ? {} : { file_size: item.fileSize ?? item.bytes.byteLength }),
        id
      })
    }),
    // Anything else sent to the Graph host is not a documented media request.
    http.all(`${graph.origin}/*`, ({ request }) => {
      problems.push(`unexpected ${request.method} ${new URL(request.url).pathname} on the Graph API`)
      return graphError(400, 100, "Unknown path components")
    })
  ]

  return {
    handlers,
    calls,
    problems,
    add: (id, item) => void media.set(id, item),
    assertValid: () => {
      if (problems.length > 0) throw new Error(`Requests to the fake Graph API broke Meta's rules:\n- ${problems.join("\n- ")}`)
    },
    reset: () => {
      media.clear()
      calls.lookups.length = 0
      calls.downloads.length = 0
      problems.length = 0
    }
  }
}
