import { describe, expect, it } from "vitest"
import { type WidgetSettingsInput, widgetConfig } from "./config.ts"
import { waMeLink } from "./link.ts"
import { matchesPath, pathInRollout } from "./paths.ts"

const settings: WidgetSettingsInput = {
  enabled: true,
  percentage: 100,
  number: "+31 6-1234 5678",
  text: "Hallo gemeente",
  paths: { include: ["/**"], exclude: ["/intern/**"] }
}
const open = { open: true, nextOpen: null }
const closed = { open: false, nextOpen: "2026-12-03T07:30:00.000Z" }

describe("wa.me link", () => {
  it("has digits only and the text URL-encoded", () => {
    expect(waMeLink("+31 6-1234 5678", "Vraag over afval & grofvuil?")).toBe("https://wa.me/31612345678?text=Vraag%20over%20afval%20%26%20grofvuil%3F")
    expect(waMeLink("31612345678", "")).toBe("https://wa.me/31612345678")
  })
})

describe("path patterns", () => {
  it("* stays within a segment, ** crosses them and covers the folder itself", () => {
    expect(matchesPath("/afval/*", "/afval/grofvuil")).toBe(true)
    expect(matchesPath("/afval/*", "/afval/grofvuil/ophalen")).toBe(false)
    expect(matchesPath("/afval/**", "/afval")).toBe(true)
    expect(matchesPath("/afval/**", "/afval/grofvuil/ophalen")).toBe(true)
    expect(matchesPath("/afval/**", "/afvalpas")).toBe(false)
    expect(matchesPath("/**/contact", "/wonen/parkeren/contact")).toBe(true)
    expect(matchesPath("/page.html", "/pageXhtml")).toBe(false)
  })
  it("exclude wins over include", () => {
    expect(pathInRollout({ include: ["/**"], exclude: ["/intern/**"] }, "/intern/x")).toBe(false)
    expect(pathInRollout({ include: ["/afval/**"], exclude: [] }, "/paspoort")).toBe(false)
  })
})

describe("widgetConfig", () => {
  it("shows the button with the page's prefilled text", () => {
    const config = widgetConfig({ ...settings, pageTexts: [{ path: "/afval/**", text: "Vraag over afval" }] }, { path: "/afval/grofvuil", now: open })
    expect(config).toMatchObject({ show: true, reason: null, number: "31612345678", text: "Vraag over afval", link: "https://wa.me/31612345678?text=Vraag%20over%20afval" })
  })
  it("the kill switch, a missing number and excluded pages hide it", () => {
    expect(widgetConfig({ ...settings, enabled: false }, { path: "/", now: open })).toMatchObject({ show: false, reason: "disabled" })
    expect(widgetConfig({ ...settings, number: "" }, { path: "/", now: open })).toMatchObject({ show: false, reason: "not_configured", link: null })
    expect(widgetConfig(settings, { path: "/intern/rooster", now: open })).toMatchObject({ show: false, reason: "path_excluded" })
  })
  it("office hours: hide when closed, or show with the next opening", () => {
    expect(widgetConfig({ ...settings, officeHours: "hide" }, { path: "/", now: closed })).toMatchObject({ show: false, reason: "closed" })
    expect(widgetConfig({ ...settings, officeHours: "show-next-open" }, { path: "/", now: closed }))
      .toMatchObject({ show: true, open: false, nextOpen: "2026-12-03T07:30:00.000Z" })
    expect(widgetConfig({ ...settings, officeHours: "ignore" }, { path: "/", now: closed })).toMatchObject({ show: true, nextOpen: null })
  })
  it("clamps the percentage", () => {
    expect(widgetConfig({ ...settings, percentage: 140 }, { path: "/", now: open }).percentage).toBe(100)
  })
})
