import { describe, expect, it } from "vitest"
import { inspectText, renderForAgents, type SafetyOptions } from "./inspect.ts"
import { findPersonalData } from "./personal-data/PersonalData.ts"
import { maskPersonalData } from "./personal-data/mask.ts"

const on: SafetyOptions = { detectPersonalData: true, linkMode: "neutralize", links: { allowDomains: ["denhaag.nl"], blockDomains: ["evil.example"] } }
const mask = (text: string) => maskPersonalData(text, findPersonalData(text))

describe("masking", () => {
  it.each([
    ["NL91 ABNA 0417 1643 00", "NL** **** **** **** 00"],
    ["NL91ABNA0417164300", "NL**************00"],
    ["bsn 123 456 782", "bsn *** *** *82"],
    ["bsn 123456782", "bsn *******82"],
    ["bel 06-12345678", "bel **-******78"],
    ["mail jan.jansen@gmail.com", "mail j*********@*****.com"],
    ["4111 1111 1111 1111", "**** **** **** **11"],
    ["geb. 03-03-1985", "geb. **-**-**85"]
  ])("%s → %s", (text, masked) => expect(mask(text)).toBe(masked))
})

describe("inspectText and renderForAgents", () => {
  it("flags, masks and defangs in one pass", () => {
    const text = "bsn 123456782, zie https://evil.example/x en denhaag.nl/afval"
    const i = inspectText(text, on)
    expect(i.flags).toEqual(["pii:bsn", "link:allowed", "link:blocked"])
    expect(renderForAgents(text, i, { mask: true, neutralize: true })).toBe("bsn *******82, zie hxxps://evil[.]example/x en denhaag.nl/afval")
    expect(renderForAgents(text, i, { mask: false, neutralize: true })).toBe("bsn 123456782, zie hxxps://evil[.]example/x en denhaag.nl/afval")
    expect(renderForAgents(text, i, { mask: false, neutralize: false })).toBe(text)
  })

  it("the domain of an e-mail address is the address, not a link", () => {
    expect(inspectText("mail jan@evil.example", on).flags).toEqual(["pii:email"])
  })

  it("does nothing that is switched off", () => {
    expect(inspectText("bsn 123456782 op nu.nl", { ...on, detectPersonalData: false, linkMode: "off" }).flags).toEqual([])
    expect(inspectText("bsn 123456782 op nu.nl", { ...on, detectPersonalData: false }).flags).toEqual(["link:unknown"])
  })
})
