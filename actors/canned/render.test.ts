import { describe, expect, it } from "vitest"
import { normalizeShortcut, renderCanned } from "./CannedResponses.ts"

describe("canned responses", () => {
  it("fills {{name}} with the resident's name, every occurrence, spaces inside the braces allowed", () => {
    expect(renderCanned("Beste {{name}}, {{ name }}!", "nl", "Fatima")).toBe("Beste Fatima, Fatima!")
  })
  it("uses the neutral word of the response's language when the name is unknown or blank", () => {
    expect(renderCanned("Beste {{name}}", "nl", null)).toBe("Beste inwoner")
    expect(renderCanned("Dear {{name}}", "en", "  ")).toBe("Dear resident")
  })
  it("leaves other placeholders alone and does not read $-patterns in the name", () => {
    expect(renderCanned("{{nextOpen}} {{name}}", "nl", "$& Jan")).toBe("{{nextOpen}} $& Jan")
  })
  it("compares shortcuts lower-cased, always with their slash", () => {
    expect(normalizeShortcut(" Afval ")).toBe("/afval")
    expect(normalizeShortcut("/Paspoort")).toBe("/paspoort")
  })
})
