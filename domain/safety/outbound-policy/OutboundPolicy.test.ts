import { describe, expect, it } from "vitest"
import { checkOutboundText } from "./OutboundPolicy.ts"

const categories = (text: string, extra = {}) => checkOutboundText(text, extra).map((w) => `${w.category}:${w.term}`)

describe("checkOutboundText", () => {
  it.each([
    ["Probeer ons Online Casino met 50 gratis spins!", ["gambling:online casino"]],
    ["Gokken bij Holland Casino", ["gambling:casino"]],
    ["Bekijk mijn naaktfoto's", ["adult:naaktfoto"]],
    ["Stem op partij X bij de verkiezingen!", ["political:stem op"]],
    ["VOTE FOR our candidate", ["political:our candidate"]],
    ["Sèks en casino", ["gambling:casino", "adult:seks"]]
  ])("%s warns", (text, expected) => expect(categories(text)).toEqual(expected))

  it.each([
    "Uw aanvraag voor een parkeervergunning is ontvangen.",
    "U kunt stemmen in elk stembureau van de gemeente.",
    "Dank voor uw inzet en uw geduld.",
    "De sportaccommodatie is gesloten op maandag.",
    "Essex is a county in England." // no word match inside "essex"
  ])("%s does not", (text) => expect(categories(text)).toEqual([]))

  it("takes the municipality's extra terms, whole words, case and accents ignored", () => {
    expect(categories("Doe mee met de LOTERIJ", { gambling: ["loterij"] })).toEqual(["gambling:loterij"])
    expect(categories("de staatsloterijen", { gambling: ["loterij"] })).toEqual([])
  })
})
