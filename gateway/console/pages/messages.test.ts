/**
 * How the console shows a message an agent reads: resident-safety flags as named badges, links
 * in residents' messages defanged when the settings say "neutralize" (never clickable), and
 * resident text as text (markup in it is escaped, never rendered).
 */
import { describe, expect, it } from "vitest"
import type { Message } from "../../../domain/Message.ts"
import { textsFor } from "../texts.ts"
import { defang } from "./format.ts"
import { MessageItems } from "./Thread.tsx"

const message = (over: Partial<Message>): Message => ({
  id: "msg_1", conversationId: "cnv_1", direction: "inbound", type: "text", providerMessageId: "wamid.x", createdAt: "2026-12-02T09:00:00.000Z",
  text: "Hallo", media: null, location: null, reaction: null, reply: null, replyTo: null, status: "received", error: null, flags: [],
  ...over
} as Message)

const render = (messages: Array<Message>, defangLinks: boolean, language: "nl" | "en" = "nl") =>
  String(MessageItems({ texts: textsFor(language), language, timeZone: "Europe/Amsterdam", messages, defangLinks }))

describe("the console's messages", () => {
  it("names the resident-safety flags, in the agent's language", () => {
    const html = render([message({ text: "Mijn BSN staat erin", flags: ["pii:bsn", "link:blocked", "auto"] })], false)
    expect(html).toContain(">BSN</li>")
    expect(html).toContain(">link (geblokkeerd)</li>")
    expect(render([message({ flags: ["pii:iban"] })], false, "en")).toContain(">IBAN</li>")
  })

  it("defangs links in residents' messages when asked, and never makes them clickable", () => {
    const text = "Zie https://phish.example/login en www.gemeente.nl"
    expect(render([message({ text })], true)).toContain("hxxps://phish[.]example/login en www[.]gemeente[.]nl")
    const plain = render([message({ text })], false)
    expect(plain).toContain("https://phish.example/login")
    expect(plain).not.toContain("<a ")
    expect(defang("http://a.b/c.d")).toBe("hxxp://a[.]b/c[.]d")
  })

  it("shows what agents may see: a masked BSN stays masked, never the text in clear", () => {
    const html = render([message({ text: "Mijn BSN is 111222333", textSafe: "Mijn BSN is *** ** *33", masked: true, flags: ["pii:bsn"] } as Partial<Message>)], false)
    expect(html).toContain("Mijn BSN is *** ** *33")
    expect(html).not.toContain("111222333")
  })

  it("escapes markup a resident sends", () => {
    const html = render([message({ text: "<script>alert(1)</script><img src=x>" })], false)
    expect(html).not.toContain("<script>")
    expect(html).toContain("&lt;script&gt;")
  })

  it("shows a note as a note and an outbound message with its delivery status", () => {
    const html = render([
      message({ id: "msg_2", direction: "internal" as Message["direction"], type: "note" as Message["type"], text: "Belt terug" }),
      message({ id: "msg_3", direction: "outbound", status: "delivered", text: "Dank u" })
    ], false)
    expect(html).toContain(`class="message internal"`)
    expect(html).toContain(">Notitie<")
    expect(html).toContain("afgeleverd")
  })
})
