import { describe, expect, it } from "vitest"
import { checkMediaUrl, checkResolvedHost, isPrivateAddress, MAX_MEDIA_BYTES, mediaHostPolicy, mediaKind, sizeLimit } from "./allow-list.ts"

const production = mediaHostPolicy("https://graph.facebook.com/v23.0", ["media.example.nl", "10.1.2.3"])
const local = mediaHostPolicy("http://127.0.0.1:9999/v23.0")
const ok = (url: string, policy = production) => checkMediaUrl(url, policy).ok

describe("checkMediaUrl", () => {
  it("accepts Meta's documented media host over https", () => {
    expect(ok("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3")).toBe(true)
    expect(ok("https://LOOKASIDE.fbsbx.com./whatsapp_business/attachments/?mid=1")).toBe(true)
  })

  it("accepts the Graph API host and the operator's extra hosts", () => {
    expect(ok("https://graph.facebook.com/v23.0/x")).toBe(true)
    expect(ok("https://media.example.nl/x")).toBe(true)
  })

  it("refuses other hosts, look-alikes and subdomains", () => {
    for (const url of ["https://evil.example/x", "https://lookaside.fbsbx.com.evil.example/x", "https://x.lookaside.fbsbx.com/x", "https://fbsbx.com/x"]) {
      const check = checkMediaUrl(url, production)
      expect(check.ok, url).toBe(false)
      if (!check.ok) expect(check.reason).toMatch(/allow-list/)
    }
  })

  it("refuses plain http except for the Graph API host itself (tests), and other schemes", () => {
    expect(ok("http://lookaside.fbsbx.com/x")).toBe(false)
    expect(ok("ftp://lookaside.fbsbx.com/x")).toBe(false)
    expect(ok("file:///etc/passwd")).toBe(false)
    expect(ok("http://127.0.0.1:9999/_media/1", local)).toBe(true)
    expect(ok("http://127.0.0.1:8080/_media/1", local)).toBe(false)
  })

  it("refuses credentials in the URL and unparsable URLs", () => {
    expect(ok("https://user:pw@lookaside.fbsbx.com/x")).toBe(false)
    expect(ok("not a url")).toBe(false)
  })

  it("refuses private IP literals even when an operator listed them, unless it is the Graph API host", () => {
    const check = checkMediaUrl("https://10.1.2.3/x", production)
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.reason).toMatch(/private/)
    expect(ok("https://127.0.0.1:9999/x", local)).toBe(true)
  })

  it("never puts the path or query of the URL in its reason", () => {
    const check = checkMediaUrl("https://evil.example/secret-path?mid=31612345678", production)
    expect(!check.ok && check.reason).not.toMatch(/secret|31612345678/)
  })
})

describe("checkResolvedHost", () => {
  const policy = mediaHostPolicy("http://127.0.0.1:9/v23.0", ["media.gemeente.example"])
  const dns = (addresses: ReadonlyArray<string>) => async () => addresses
  const url = new URL("https://media.gemeente.example/a?mid=1")

  it("accepts a host name that resolves to public addresses only", async () => {
    expect(await checkResolvedHost(url, policy, dns(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]))).toMatchObject({ ok: true })
  })

  it("refuses a host name with any private, loopback or mapped-private address, and one with none", async () => {
    for (const inward of [["93.184.215.14", "10.1.2.3"], ["127.0.0.1"], ["::ffff:192.168.1.5"], ["fd00::1"]]) {
      expect(await checkResolvedHost(url, policy, dns(inward))).toEqual({ ok: false, reason: "the media host media.gemeente.example resolves to a private or loopback address" })
    }
    expect(await checkResolvedHost(url, policy, dns([]))).toMatchObject({ ok: false })
  })

  it("does not resolve the Graph API host or IP literals (checkMediaUrl judged those)", async () => {
    const never = async (): Promise<ReadonlyArray<string>> => { throw new Error("resolved") }
    expect(await checkResolvedHost(new URL("http://127.0.0.1:9/x"), policy, never)).toMatchObject({ ok: true })
    expect(await checkResolvedHost(new URL("https://93.184.215.14/x"), policy, never)).toMatchObject({ ok: true })
  })
})

describe("isPrivateAddress", () => {
  it("knows loopback, private, link-local, CGNAT and IPv6 equivalents", () => {
    for (const host of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
      "::1", "[::1]", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe"]) {
      expect(isPrivateAddress(host), host).toBe(true)
    }
    for (const host of ["8.8.8.8", "172.32.0.1", "157.240.1.1", "2a03:2880:f003::1", "lookaside.fbsbx.com"]) {
      expect(isPrivateAddress(host), host).toBe(false)
    }
  })
})

describe("mediaKind and sizeLimit", () => {
  it("allows WhatsApp's media types and refuses active content", () => {
    expect(mediaKind("image/jpeg")).toBe("image")
    expect(mediaKind("image/webp")).toBe("sticker")
    expect(mediaKind("audio/ogg; codecs=opus")).toBe("audio")
    expect(mediaKind("video/mp4")).toBe("video")
    expect(mediaKind("application/pdf")).toBe("document")
    expect(mediaKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document")).toBe("document")
    expect(mediaKind("application/vnd.oasis.opendocument.text")).toBe("document")
    expect(mediaKind("text/plain")).toBe("document")
    for (const type of ["text/html", "application/javascript", "image/svg+xml", "application/xhtml+xml", "application/octet-stream", "application/x-msdownload", "", "image/"]) {
      expect(mediaKind(type), type).toBeUndefined()
    }
  })

  it("uses WhatsApp's limits per kind", () => {
    expect(sizeLimit("image/png")).toBe(5 * 1024 * 1024)
    expect(sizeLimit("image/webp")).toBe(500 * 1024)
    expect(sizeLimit("audio/aac")).toBe(16 * 1024 * 1024)
    expect(sizeLimit("application/pdf")).toBe(MAX_MEDIA_BYTES)
    expect(sizeLimit("text/html")).toBe(0)
  })
})
