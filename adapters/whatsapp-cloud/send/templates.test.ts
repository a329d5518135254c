import { describe, expect, it } from "vitest"
import { countPlaceholders, parameterCounts, templateInfo } from "./templates.ts"

describe("parameterCounts", () => {
  it("counts distinct placeholders per part", () => {
    expect(countPlaceholders("Beste {{1}}, uw afspraak op {{2}} om {{3}}. Tot {{2}}!")).toBe(3)
    expect(countPlaceholders("Hallo {{ voornaam }} en {{achternaam}}")).toBe(2)
    expect(countPlaceholders("geen")).toBe(0)
    expect(countPlaceholders(undefined)).toBe(0)
  })

  it("reads header text, body text and URL buttons; ignores media headers and quick replies", () => {
    expect(parameterCounts([
      { type: "HEADER", format: "IMAGE", example: { header_handle: ["x"] } },
      { type: "BODY", text: "{{1}} {{2}}" },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Stop" }, { type: "URL", url: "https://a.example/{{1}}" }, { type: "URL", url: "https://b.example/{{1}}" }, { type: "URL", url: "https://c.example/vast" }] }
    ])).toEqual({ header: 0, body: 2, buttons: 2 })
    expect(parameterCounts([{ type: "header", format: "TEXT", text: "Hoi {{1}}" }, { type: "body", text: "x" }])).toEqual({ header: 1, body: 0, buttons: 0 })
  })
})

describe("templateInfo", () => {
  it("maps Meta's item", () => {
    expect(templateInfo({ id: "123", name: "n", language: "nl", status: "PAUSED", category: "UTILITY", components: [{ type: "BODY", text: "{{1}}" }] })).toEqual({
      id: "123", name: "n", language: "nl", status: "PAUSED", category: "UTILITY",
      components: [{ type: "BODY", text: "{{1}}" }], parameterCounts: { header: 0, body: 1, buttons: 0 }
    })
  })

  it("skips items without name or language", () => {
    expect(templateInfo({ id: "1", language: "nl" })).toBeNull()
    expect(templateInfo("x")).toBeNull()
  })
})
