import { describe, expect, it } from "vitest"
import type { OutboundContent, OutboundRequest } from "../../../domain/Outbound.ts"
import { checkSendRequest } from "../../../test/msw/graph-messages.ts"
import { toGraphMessage, validateOutbound, validateRecipient } from "./request.ts"

const WAMID = "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTdCRDI0RkM1QjQ3RTk0OEYwMQA="
const req = (content: OutboundContent, extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
  channelAccountId: "106540352242922",
  to: { waId: "31612345678", userId: null },
  content,
  trackingId: "out_01J9Z8K3M4",
  ...extra
})
const envelope = { messaging_product: "whatsapp", recipient_type: "individual", to: "31612345678", biz_opaque_callback_data: "out_01J9Z8K3M4" }

/** The body, and Meta's rules (the mock's checker) agree with it. */
const body = (r: OutboundRequest) => {
  const out = toGraphMessage(r)
  expect(checkSendRequest(out)).toEqual([])
  return out
}

describe("toGraphMessage", () => {
  it("text", () => {
    expect(body(req({ type: "text", text: "Uw afspraak staat vast.", previewUrl: false }))).toEqual({
      ...envelope, type: "text", text: { body: "Uw afspraak staat vast.", preview_url: false }
    })
  })

  it("template, with and without components", () => {
    const components = [{ type: "body", parameters: [{ type: "text", text: "Sanne" }, { type: "text", text: "14:30" }] }]
    expect(body(req({ type: "template", template: { name: "afspraak_herinnering", language: "nl", components } }))).toEqual({
      ...envelope, type: "template", template: { name: "afspraak_herinnering", language: { code: "nl" }, components }
    })
    expect(body(req({ type: "template", template: { name: "hallo", language: "en_US" } }))).toEqual({
      ...envelope, type: "template", template: { name: "hallo", language: { code: "en_US" } }
    })
  })

  it("image, video by id or link with caption", () => {
    expect(body(req({ type: "image", media: { id: "1234567890", caption: "Plattegrond" } }))).toMatchObject({
      type: "image", image: { id: "1234567890", caption: "Plattegrond" }
    })
    expect(body(req({ type: "video", media: { link: "https://gemeente.example/uitleg.mp4", caption: "Uitleg" } })).video).toEqual({
      link: "https://gemeente.example/uitleg.mp4", caption: "Uitleg"
    })
  })

  it("document keeps its filename; audio and sticker drop caption and filename", () => {
    expect(body(req({ type: "document", media: { id: "42", caption: "Formulier", filename: "aanvraag.pdf" } })).document).toEqual({
      id: "42", caption: "Formulier", filename: "aanvraag.pdf"
    })
    expect(body(req({ type: "audio", media: { id: "43", caption: "x", filename: "a.ogg" } })).audio).toEqual({ id: "43" })
    expect(body(req({ type: "sticker", media: { link: "https://gemeente.example/s.webp", caption: "x" } })).sticker).toEqual({
      link: "https://gemeente.example/s.webp"
    })
  })

  it("interactive buttons, with header and footer", () => {
    const out = body(req({
      type: "interactive",
      interactive: { type: "button", header: "Afspraak", body: "Komt 14:30 uit?", footer: "Gemeente Utrecht", buttons: [{ id: "ja", title: "Ja" }, { id: "nee", title: "Nee" }] }
    }))
    expect(out.interactive).toEqual({
      type: "button",
      header: { type: "text", text: "Afspraak" },
      body: { text: "Komt 14:30 uit?" },
      footer: { text: "Gemeente Utrecht" },
      action: { buttons: [{ type: "reply", reply: { id: "ja", title: "Ja" } }, { type: "reply", reply: { id: "nee", title: "Nee" } }] }
    })
  })

  it("interactive list", () => {
    const out = body(req({
      type: "interactive",
      interactive: {
        type: "list", body: "Waarover gaat uw vraag?", button: "Kies onderwerp",
        sections: [
          { title: "Burgerzaken", rows: [{ id: "paspoort", title: "Paspoort", description: "Aanvragen of ophalen" }, { id: "verhuizen", title: "Verhuizen" }] },
          { title: "Afval", rows: [{ id: "grofvuil", title: "Grofvuil" }] }
        ]
      }
    }))
    expect(out.interactive).toEqual({
      type: "list",
      body: { text: "Waarover gaat uw vraag?" },
      action: {
        button: "Kies onderwerp",
        sections: [
          { title: "Burgerzaken", rows: [{ id: "paspoort", title: "Paspoort", description: "Aanvragen of ophalen" }, { id: "verhuizen", title: "Verhuizen" }] },
          { title: "Afval", rows: [{ id: "grofvuil", title: "Grofvuil" }] }
        ]
      }
    })
  })

  it("reaction (never with context)", () => {
    expect(body(req({ type: "reaction", reaction: { messageId: WAMID, emoji: "👍" } }, { replyTo: WAMID }))).toEqual({
      ...envelope, type: "reaction", reaction: { message_id: WAMID, emoji: "👍" }
    })
  })

  it("reply: context.message_id", () => {
    expect(body(req({ type: "text", text: "Graag gedaan", previewUrl: true }, { replyTo: WAMID })).context).toEqual({ message_id: WAMID })
    expect(body(req({ type: "text", text: "x", previewUrl: true }, { replyTo: null }))).not.toHaveProperty("context")
  })

  it("BSUID only → recipient; both known → to", () => {
    const bsuid = body(req({ type: "text", text: "Hoi", previewUrl: false }, { to: { waId: null, userId: "NL.1349120865" } }))
    expect(bsuid.recipient).toBe("NL.1349120865")
    expect(bsuid).not.toHaveProperty("to")
    const both = body(req({ type: "text", text: "Hoi", previewUrl: false }, { to: { waId: "31612345678", userId: "NL.1349120865" } }))
    expect(both.to).toBe("31612345678")
    expect(both).not.toHaveProperty("recipient")
  })

  it("always carries the tracking id as biz_opaque_callback_data", () => {
    expect(body(req({ type: "text", text: "x", previewUrl: false }, { trackingId: "abc" })).biz_opaque_callback_data).toBe("abc")
  })
})

const paths = (content: OutboundContent) => validateOutbound(content).map((p) => p.path)

describe("validateOutbound", () => {
  it("accepts what Meta accepts, at the limits", () => {
    expect(validateOutbound({ type: "text", text: "a".repeat(4096), previewUrl: false })).toEqual([])
    expect(validateOutbound({ type: "text", text: "😀".repeat(4096), previewUrl: false })).toEqual([])
    expect(validateOutbound({
      type: "interactive",
      interactive: {
        type: "list", body: "b".repeat(1024), header: "h".repeat(60), footer: "f".repeat(60), button: "k".repeat(20),
        sections: [{ title: "s".repeat(24), rows: Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`.padEnd(200, "x"), title: "t".repeat(24), description: "d".repeat(72) })) }]
      }
    })).toEqual([])
  })

  it("text: empty, too long", () => {
    expect(paths({ type: "text", text: " ", previewUrl: false })).toEqual(["text"])
    const [problem] = validateOutbound({ type: "text", text: "a".repeat(4097), previewUrl: false })
    expect(problem?.message).toMatch(/4097 characters.*at most 4096.*split/)
  })

  it("buttons: count, title, id, uniqueness, body, header, footer", () => {
    const button = (id: string, title: string) => ({ id, title })
    expect(paths({
      type: "interactive",
      interactive: {
        type: "button", body: "x".repeat(1025), header: "h".repeat(61), footer: "f".repeat(61),
        buttons: [button("a", "x".repeat(21)), button("b".repeat(257), "B"), button("c", "C"), button("d", "D")]
      }
    })).toEqual(["interactive.body", "interactive.header", "interactive.footer", "interactive.buttons", "interactive.buttons[0].title", "interactive.buttons[1].id"])
    const [dup] = validateOutbound({ type: "interactive", interactive: { type: "button", body: "?", buttons: [button("a", "Ja"), button("a", "Nee")] } })
    expect(dup?.message).toMatch(/used twice/)
    expect(validateOutbound({ type: "interactive", interactive: { type: "button", body: "?", buttons: [button("a", "Ja"), button("a", "Nee"), button("a", "x"), button("a", "y")] } })[0]?.message)
      .toMatch(/at most 3 — use a list message/)
  })

  it("list: label, rows in total, row fields, section titles", () => {
    const rows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: "Rij" }))
    expect(paths({
      type: "interactive",
      interactive: { type: "list", body: "?", button: "x".repeat(21), sections: [{ title: "A", rows: rows(6, "a") }, { rows: rows(5, "b") }] }
    })).toEqual(["interactive.button", "interactive.sections", "interactive.sections[1].title"])
    expect(paths({
      type: "interactive",
      interactive: { type: "list", body: "?", button: "Kies", sections: [{ title: "s".repeat(25), rows: [{ id: "1", title: "t".repeat(25), description: "d".repeat(73) }] }] }
    })).toEqual(["interactive.sections[0].title", "interactive.sections[0].rows[0].title", "interactive.sections[0].rows[0].description"])
  })

  it("media: exactly one of id and link, https, no caption on audio or sticker, caption ≤ 1024, filename on documents only", () => {
    expect(paths({ type: "image", media: {} })).toEqual(["media"])
    expect(paths({ type: "image", media: { id: "1", link: "https://x.example/a.jpg" } })).toEqual(["media"])
    expect(paths({ type: "image", media: { link: "http://x.example/a.jpg" } })).toEqual(["media.link"])
    expect(paths({ type: "audio", media: { id: "1", caption: "hoor" } })).toEqual(["media.caption"])
    expect(paths({ type: "sticker", media: { id: "1", caption: "kijk" } })).toEqual(["media.caption"])
    expect(paths({ type: "image", media: { id: "1", caption: "c".repeat(1025) } })).toEqual(["media.caption"])
    expect(paths({ type: "image", media: { id: "1", filename: "a.jpg" } })).toEqual(["media.filename"])
    expect(paths({ type: "document", media: { id: "1", filename: "a.pdf", caption: "ok" } })).toEqual([])
  })

  it("template: name and language code", () => {
    expect(paths({ type: "template", template: { name: "", language: "Dutch" } })).toEqual(["template.name", "template.language"])
    expect(paths({ type: "template", template: { name: "x", language: "nl", components: [{ type: "BODYY" }] } })).toEqual(["template.components[0].type"])
  })

  it("reaction", () => {
    expect(paths({ type: "reaction", reaction: { messageId: "", emoji: "👍" } })).toEqual(["reaction.messageId"])
    expect(paths({ type: "reaction", reaction: { messageId: WAMID, emoji: "" } })).toEqual([])
  })

  it("recipient and tracking id", () => {
    expect(validateRecipient({ to: { waId: null, userId: null }, trackingId: "t" }).map((p) => p.path)).toEqual(["to"])
    expect(validateRecipient({ to: { waId: null, userId: "NL.1349120865" }, trackingId: "t" })).toEqual([])
    expect(validateRecipient({ to: { waId: "06-1234", userId: null }, trackingId: "x".repeat(513) }).map((p) => p.path)).toEqual(["to.waId", "trackingId"])
  })
})

describe("checkSendRequest (the mock's rules) catches what Meta refuses", () => {
  const ok = toGraphMessage(req({ type: "text", text: "x", previewUrl: false }))
  it.each([
    ["both to and recipient", { ...ok, recipient: "NL.1349120865" }, /both to and recipient/],
    ["no recipient", { ...ok, to: undefined }, /neither to nor recipient/],
    ["type mismatch", { ...ok, type: "image" }, /no image object/],
    ["a second object", { ...ok, image: { id: "1" } }, /image object is present too/],
    ["caption on audio", { ...ok, type: "audio", text: undefined, audio: { id: "1", caption: "x" } }, /audio.caption/],
    ["context without wamid", { ...ok, context: { message_id: "123" } }, /context.message_id/],
    ["long opaque data", { ...ok, biz_opaque_callback_data: "x".repeat(513) }, /over Meta's limit of 512/],
    ["wrong product", { ...ok, messaging_product: "sms" }, /messaging_product/],
    ["template without language code", { ...ok, type: "template", text: undefined, template: { name: "x", language: {} } }, /language.code/]
  ])("%s", (_, bad, pattern) => {
    expect(checkSendRequest(JSON.parse(JSON.stringify(bad))).join("\n")).toMatch(pattern)
  })
})
