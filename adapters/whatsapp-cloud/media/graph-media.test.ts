import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { graphMediaMock, sha256Hex, standInDns } from "../../../test/msw/graph-media.ts"
import { mediaHostPolicy } from "./allow-list.ts"
import {
  makeGraphMediaClient,
  MediaHostRefused,
  MediaIntegrityFailed,
  MediaNotFound,
  MediaTokenExpired,
  MediaTooLarge,
  MediaTypeRefused,
  MediaUnavailable,
  sameSha256
} from "./graph-media.ts"

const GRAPH = "http://127.0.0.1:9/v23.0"
const TOKEN = "EAAG-test-token"
const mock = graphMediaMock({ graphApiUrl: GRAPH, accessToken: TOKEN })
const evilCalls: Array<string | null> = []
const server = setupServer(
  ...mock.handlers,
  http.all("https://evil.example/*", ({ request }) => {
    evilCalls.push(request.headers.get("authorization"))
    return new HttpResponse("gotcha", { headers: { "content-type": "image/jpeg" } })
  })
)

const client = (timeoutMs = 2_000) => makeGraphMediaClient({ graphApiUrl: GRAPH, accessToken: TOKEN, hosts: mediaHostPolicy(GRAPH), timeoutMs, resolve: standInDns() })
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill)
const readAll = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer())
const fetchAll = async (id: string, timeoutMs?: number) => {
  const c = client(timeoutMs)
  const download = await c.download(await c.lookup(id))
  return readAll(download.body)
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => {
  mock.assertValid()
  mock.reset()
  evilCalls.length = 0
})
afterAll(() => server.close())

describe("lookup", () => {
  it("reads Meta's answer", async () => {
    const image = bytes(1000)
    mock.add("1001", { bytes: image, mimeType: "image/jpeg" })
    const info = await client().lookup("1001")
    expect(info).toMatchObject({ id: "1001", mimeType: "image/jpeg", sha256: sha256Hex(image), fileSize: 1000 })
    expect(mock.calls.lookups).toEqual(["1001"])
  })

  it("turns unknown media (code 100 or 404) into MediaNotFound", async () => {
    await expect(client().lookup("404404")).rejects.toBeInstanceOf(MediaNotFound)
    mock.add("1002", { bytes: bytes(1), mimeType: "image/jpeg", lookup: { status: 404, code: 803 } })
    await expect(client().lookup("1002")).rejects.toBeInstanceOf(MediaNotFound)
  })

  it("turns error code 190 into MediaTokenExpired", async () => {
    mock.add("1003", { bytes: bytes(1), mimeType: "image/jpeg", lookup: { status: 401, code: 190, message: "Error validating access token: Session has expired" } })
    await expect(client().lookup("1003")).rejects.toBeInstanceOf(MediaTokenExpired)
  })

  it("turns other Graph failures into MediaUnavailable", async () => {
    mock.add("1004", { bytes: bytes(1), mimeType: "image/jpeg", lookup: { status: 500, code: 2 } })
    await expect(client().lookup("1004")).rejects.toBeInstanceOf(MediaUnavailable)
  })

  it("gives up on a hanging Graph API after the timeout", async () => {
    mock.add("1005", { bytes: bytes(1), mimeType: "image/jpeg", lookup: "hang" })
    const started = Date.now()
    await expect(client(200).lookup("1005")).rejects.toThrow(/did not answer .* within 0.2 s/)
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

describe("download", () => {
  it("streams the bytes with the Bearer token, from the Graph host or Meta's lookaside host", async () => {
    const doc = bytes(3000, 1)
    mock.add("2001", { bytes: doc, mimeType: "application/pdf" })
    mock.add("2002", { bytes: doc, mimeType: "application/pdf", url: "lookaside" })
    expect(await fetchAll("2001")).toEqual(doc)
    expect(await fetchAll("2002")).toEqual(doc)
    expect(mock.calls.downloads).toEqual(["2001", "2002"])
  })

  it("never sends the token to a host off the allow-list", async () => {
    mock.add("2003", { bytes: bytes(10), mimeType: "image/jpeg", url: "https://evil.example/steal?mid=2003" })
    await expect(fetchAll("2003")).rejects.toBeInstanceOf(MediaHostRefused)
    expect(evilCalls).toEqual([])
  })

  it("refuses a redirect instead of following it", async () => {
    mock.add("2004", { bytes: bytes(10), mimeType: "image/jpeg", download: "redirect" })
    await expect(fetchAll("2004")).rejects.toThrow(/redirect/)
    expect(mock.calls.downloads).toEqual(["2004"])
  })

  it("refuses a disallowed type, announced by Graph or by the media host", async () => {
    mock.add("2005", { bytes: bytes(10), mimeType: "text/html" })
    await expect(fetchAll("2005")).rejects.toBeInstanceOf(MediaTypeRefused)
    expect(mock.calls.downloads).toEqual([])
    mock.add("2006", { bytes: bytes(10), mimeType: "image/png", downloadHeaders: { "content-type": "image/svg+xml" } })
    await expect(fetchAll("2006")).rejects.toBeInstanceOf(MediaTypeRefused)
  })

  it("refuses media over WhatsApp's limit: by file_size, by Content-Length, and while streaming", async () => {
    const big = bytes(600 * 1024)
    mock.add("2007", { bytes: big, mimeType: "image/webp" })
    await expect(fetchAll("2007")).rejects.toBeInstanceOf(MediaTooLarge)
    expect(mock.calls.downloads).toEqual([])
    mock.add("2008", { bytes: big, mimeType: "image/webp", fileSize: null })
    await expect(fetchAll("2008")).rejects.toBeInstanceOf(MediaTooLarge)
    mock.add("2009", { bytes: big, mimeType: "image/webp", fileSize: null, chunked: true })
    await expect(fetchAll("2009")).rejects.toBeInstanceOf(MediaTooLarge)
  })

  it("errors at the end of the stream when the sha256 does not match", async () => {
    mock.add("2010", { bytes: bytes(100), mimeType: "image/jpeg", sha256: sha256Hex(bytes(100, 8)) })
    await expect(fetchAll("2010")).rejects.toBeInstanceOf(MediaIntegrityFailed)
  })

  it("times out a media host that never answers or stops sending", async () => {
    mock.add("2011", { bytes: bytes(100), mimeType: "image/jpeg", download: "hang" })
    await expect(fetchAll("2011", 200)).rejects.toThrow(/did not answer within 0.2 s/)
    mock.add("2012", { bytes: bytes(100), mimeType: "image/jpeg", download: "stall" })
    await expect(fetchAll("2012", 200)).rejects.toThrow(/stopped sending/)
  })

  it("treats a failed download as MediaUnavailable", async () => {
    mock.add("2013", { bytes: bytes(100), mimeType: "image/jpeg", download: { status: 404 } })
    await expect(fetchAll("2013")).rejects.toBeInstanceOf(MediaUnavailable)
  })
})

describe("sameSha256", () => {
  it("reads Meta's hex and base64 forms", () => {
    const digest = new Uint8Array(Buffer.from(sha256Hex(bytes(5)), "hex"))
    expect(sameSha256(sha256Hex(bytes(5)), digest)).toBe(true)
    expect(sameSha256(sha256Hex(bytes(5)).toUpperCase(), digest)).toBe(true)
    expect(sameSha256(Buffer.from(digest).toString("base64"), digest)).toBe(true)
    expect(sameSha256(sha256Hex(bytes(6)), digest)).toBe(false)
    expect(sameSha256("nonsense", digest)).toBe(false)
  })
})
