import { describe, expect, it } from "vitest"
import { classifyHost, defang, findLinks, linkFlags } from "./LinkGuard.ts"

const policy = { allowDomains: ["denhaag.nl", "mijn.overheid.nl"], blockDomains: ["evil.example", "phish.zip", "203.0.113.7", "2001:db8::66"] }
const links = (text: string) => findLinks(text, policy).map((l) => `${l.verdict}:${text.slice(l.start, l.end)}`)

describe("findLinks finds", () => {
  it.each([
    ["kijk op denhaag.nl/afval", "allowed:denhaag.nl/afval"],
    ["https://www.denhaag.nl/nl/afval?x=1", "allowed:https://www.denhaag.nl/nl/afval?x=1"],
    ["inloggen via https://mijn.overheid.nl", "allowed:https://mijn.overheid.nl"],
    ["zie nu.nl", "unknown:nu.nl"],
    ["https://bit.ly/3xYz", "unknown:https://bit.ly/3xYz"],
    ["ga naar tinyurl.com/abc", "unknown:tinyurl.com/abc"],
    ["http://192.168.1.10/login", "unknown:http://192.168.1.10/login"],
    ["bezoek 192.168.1.10", "unknown:192.168.1.10"],
    ["http://[2001:db8::1]:8080/x", "unknown:http://[2001:db8::1]:8080/x"],
    ["http://203.0.113.7/betalen", "blocked:http://203.0.113.7/betalen"],
    ["http://[2001:db8::66]/x", "blocked:http://[2001:db8::66]/x"],
    ["https://evil.example/x", "blocked:https://evil.example/x"],
    ["login.evil.example/betaal", "blocked:login.evil.example/betaal"],
    ["download factuur.phish.zip nu", "blocked:factuur.phish.zip"],
    ["https://bücher.de", "unknown:https://bücher.de"]
  ])("%s → %s", (text, expected) => expect(links(text)).toEqual([expected]))
})

describe("look-alikes of an allowed domain are blocked", () => {
  it.each([
    ["denhaag.nl.evil.example", "allowed-name-inside"], // no TLD list knows .example
    ["www.denhaag.nl.betalen.com", "allowed-name-inside"],
    ["denhaag.nl-betalen.com", "allowed-name-inside"],
    ["dènhaag.nl", "look-alike"],
    ["xn--dnhaag-3ua.nl", "look-alike"], // punycode of dènhaag.nl
    ["dеnhaag.nl", "look-alike"], // Cyrillic е
    ["www.dеnhaag.nl", "look-alike"],
    ["denhaag.com", "other-suffix"]
  ])("%s (%s)", (host, reason) => {
    const plain = new Set(["evil.example"])
    const p = { allowDomains: policy.allowDomains, blockDomains: policy.blockDomains.filter((d) => !plain.has(d)) }
    expect(classifyHost(host, p)).toMatchObject({ verdict: "blocked", reason })
    const found = findLinks(`klik op ${host}/login`, p)
    expect(found.map((l) => l.verdict)).toEqual(["blocked"])
  })

  it("the real domain and its subdomains stay allowed", () => {
    expect(classifyHost("denhaag.nl", policy).verdict).toBe("allowed")
    expect(classifyHost("WWW.DENHAAG.NL.", policy).verdict).toBe("allowed")
    expect(classifyHost("denhaagfm.nl", policy).verdict).toBe("unknown")
  })
})

describe("text with dots that is no link", () => {
  it.each(["om 10.30 uur", "art. 3.2 van de verordening", "€ 1.250,00", "versie 2.1", "mail jan@denhaag.nl", "t.a.v. de heer Jansen", "z.s.m. graag", "Groet.Jan", "1.250.000 inwoners", "om 9.00u."])("%s", (text) =>
    expect(links(text)).toEqual([])
  )
})

describe("flags and defanging", () => {
  it("gives each verdict's flag once", () => {
    expect(linkFlags(findLinks("denhaag.nl en nu.nl en evil.example en ad.nl", policy))).toEqual(["link:allowed", "link:unknown", "link:blocked"])
  })

  it("defangs every link that is not allowed", () => {
    const text = "zie https://evil.example/x, nu.nl/a en https://www.denhaag.nl/afval"
    expect(defang(text, findLinks(text, policy))).toBe("zie hxxps://evil[.]example/x, nu[.]nl/a en https://www.denhaag.nl/afval")
    const ip = "http://203.0.113.7:8080/pay"
    expect(defang(ip, findLinks(ip, policy))).toBe("hxxp://203[.]0[.]113[.]7:8080/pay")
  })
})
