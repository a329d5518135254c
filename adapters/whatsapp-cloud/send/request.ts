/**
 * Loket's `OutboundRequest` → the JSON body of `POST {GRAPH_API_URL}/{phone-number-id}/messages`, exactly as
 * Meta documents it. Pure and total: it throws nothing and checks nothing — the API route runs
 * `validateOutbound` (./validate.ts, re-exported here) first and answers 422 before anything is queued.
 *
 * - Recipient: `to` (phone number) when the resident's wa_id is known, else `recipient` (business-scoped user id,
 *   BSUID). Neither known → neither field (the Graph client refuses that before calling Meta).
 * - `biz_opaque_callback_data` = `trackingId` on every message: Meta echoes it on the status webhooks.
 * - `context: { message_id }` for a reply (not on reactions, which name their message themselves).
 */
import type { MediaRef, OutboundContent, OutboundRequest } from "../../../domain/Outbound.ts"

export { type OutboundProblem, validateOutbound, validateRecipient } from "./validate.ts"

type Json = Record<string, unknown>

export function toGraphMessage(req: OutboundRequest): Json {
  const body: Json = { messaging_product: "whatsapp", recipient_type: "individual" }
  if (req.to.waId !== null && req.to.waId !== "") body.to = req.to.waId
  else if (req.to.userId !== null && req.to.userId !== "") body.recipient = req.to.userId
  const content = req.content
  body.type = content.type
  body[content.type] = typeObject(content)
  if (content.type !== "reaction" && typeof req.replyTo === "string" && req.replyTo !== "") {
    body.context = { message_id: req.replyTo }
  }
  body.biz_opaque_callback_data = req.trackingId
  return body
}

function typeObject(content: OutboundContent): Json {
  switch (content.type) {
    case "text":
      return { body: content.text, preview_url: content.previewUrl }
    case "template":
      return {
        name: content.template.name,
        language: { code: content.template.language },
        ...(content.template.components === undefined ? {} : { components: content.template.components })
      }
    case "image":
    case "video":
    case "document":
    case "audio":
    case "sticker":
      return media(content.type, content.media)
    case "interactive":
      return interactive(content.interactive)
    case "reaction":
      return { message_id: content.reaction.messageId, emoji: content.reaction.emoji }
  }
}

function media(type: "image" | "video" | "document" | "audio" | "sticker", ref: MediaRef): Json {
  const out: Json = ref.id !== undefined && ref.id !== "" ? { id: ref.id } : { link: ref.link }
  if (type !== "audio" && type !== "sticker" && ref.caption !== undefined && ref.caption !== "") out.caption = ref.caption
  if (type === "document" && ref.filename !== undefined && ref.filename !== "") out.filename = ref.filename
  return out
}

type Interactive = Extract<OutboundContent, { type: "interactive" }>["interactive"]

function interactive(i: Interactive): Json {
  const out: Json = { type: i.type }
  if (i.header !== undefined && i.header !== "") out.header = { type: "text", text: i.header }
  out.body = { text: i.body }
  if (i.footer !== undefined && i.footer !== "") out.footer = { text: i.footer }
  out.action = i.type === "button"
    ? { buttons: i.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })) }
    : {
      button: i.button,
      sections: i.sections.map((s) => ({
        ...(s.title === undefined || s.title === "" ? {} : { title: s.title }),
        rows: s.rows.map((r) => ({
          id: r.id,
          title: r.title,
          ...(r.description === undefined || r.description === "" ? {} : { description: r.description })
        }))
      }))
    }
  return out
}
