import { describe, expect, it } from "vitest"
import { parseTrustedProxies, type TrustedProxy } from "../../config/trustedProxies.ts"
import { addressBehindProxies, trustCheck } from "./client-address.ts"

const trusted = trustCheck(parseTrustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8") as ReadonlyArray<TrustedProxy>)

describe("the client's address behind trusted proxies", () => {
  it("takes the right-most hop that is not a trusted proxy", () => {
    expect(addressBehindProxies("127.0.0.1", "203.0.113.5", trusted)).toBe("203.0.113.5")
    expect(addressBehindProxies("127.0.0.1", "203.0.113.5, 10.1.2.3", trusted)).toBe("203.0.113.5")
    expect(addressBehindProxies("::ffff:127.0.0.1", "2001:db8::1, fd00::7", trusted)).toBe("2001:db8::1")
  })

  it("never believes what a client wrote further left, nor a header from an untrusted peer", () => {
    expect(addressBehindProxies("127.0.0.1", "198.51.100.1, 203.0.113.5", trusted)).toBe("203.0.113.5")
    expect(addressBehindProxies("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9")
    expect(addressBehindProxies("127.0.0.1", "not-an-address, 10.1.2.3", trusted)).toBe("10.1.2.3")
    expect(addressBehindProxies("127.0.0.1", undefined, trusted)).toBe("127.0.0.1")
    expect(addressBehindProxies("127.0.0.1", "203.0.113.5", trustCheck([]))).toBe("127.0.0.1")
  })

  it("is the left-most hop when every hop is a trusted proxy", () => {
    expect(addressBehindProxies("127.0.0.1", "10.0.0.2, 10.0.0.1", trusted)).toBe("10.0.0.2")
  })

  it("matches CIDR ranges bit by bit, IPv4 and IPv6 (also written with an IPv4 tail)", () => {
    const check = trustCheck(parseTrustedProxies("192.0.2.0/25, 2001:db8:aa::/48, 0.0.0.0/0") as ReadonlyArray<TrustedProxy>)
    const v6only = trustCheck(parseTrustedProxies("192.0.2.0/25, 2001:db8:aa::/48") as ReadonlyArray<TrustedProxy>)
    expect(v6only("192.0.2.127")).toBe(true)
    expect(v6only("192.0.2.128")).toBe(false)
    expect(v6only("2001:db8:aa:ffff::1")).toBe(true)
    expect(v6only("2001:db8:ab::1")).toBe(false)
    expect(v6only("::ffff:192.0.2.1")).toBe(true)
    expect(v6only("2001:db8:aa::192.0.2.1")).toBe(true)
    expect(v6only("unknown")).toBe(false)
    expect(check("203.0.113.1")).toBe(true)
    expect(check("2001:db8:ab::1")).toBe(false)
  })
})
