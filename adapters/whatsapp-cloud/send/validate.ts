/**
 * WhatsApp's documented limits on what Loket sends, checked before anything is queued so the API route can
 * answer 422 with every problem at once. Each problem names the field (a path into `OutboundContent`, e.g.
 * `interactive.buttons[3].title`), the limit and the fix. Lengths count Unicode code points (an emoji is one),
 * which is how Meta describes its "characters".
 */
import type { ListSection, MediaRef, OutboundContent, OutboundRequest } from "../../../domain/Outbound.ts"
import type { OutboundProblem } from "../../ChannelAdapter.ts"

export type { OutboundProblem }

export const LIMITS = {
  textBody: 4096,
  caption: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  listRows: 10,
  listSections: 10,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
  interactiveBody: 1024,
  header: 60,
  footer: 60,
  templateName: 512,
  trackingId: 512
} as const

/** Meta's language codes: `nl`, `en_US`, `pt_BR`, `zh_HK`, `ha`, `fil`… */
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]+$/
const PHONE = /^\+?[1-9]\d{5,14}$/

export const length = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

export function validateOutbound(content: OutboundContent): Array<OutboundProblem> {
  const problems: Array<OutboundProblem> = []
  const add = (path: string, message: string) => void problems.push({ path, message })
  /** Required, non-blank, at most `max` characters. */
  const text = (path: string, value: unknown, max: number, what: string, fix: string, optional = false) => {
    if (value === undefined || value === null) {
      if (!optional) add(path, `${path} is missing; ${what} is required`)
      return
    }
    if (typeof value !== "string") return add(path, `${path} must be a string`)
    if (!optional && value.trim() === "") return add(path, `${path} is empty; ${what} needs at least one visible character`)
    const n = length(value)
    if (n > max) add(path, `${path} is ${n} characters; WhatsApp allows at most ${max} for ${what} — ${fix}`)
  }

  switch (content.type) {
    case "text":
      text("text", content.text, LIMITS.textBody, "a text message", "split it into several messages")
      break
    case "template": {
      const t = content.template
      text("template.name", t.name, LIMITS.templateName, "a template name", "use the name of an approved template")
      if (typeof t.language !== "string" || !LANGUAGE_CODE.test(t.language)) {
        add("template.language", `template.language must be a WhatsApp language code like "nl" or "en_US", got ${JSON.stringify(t.language)} — use the language the template was approved in`)
      }
      if (t.components !== undefined) {
        if (!Array.isArray(t.components)) add("template.components", "template.components must be an array of Meta template components")
        else {
          t.components.forEach((c, i) => {
            const type = typeof c === "object" && c !== null ? (c as { type?: unknown }).type : undefined
            if (typeof type !== "string" || !["header", "body", "button", "footer"].includes(type.toLowerCase())) {
              add(`template.components[${i}].type`, `template.components[${i}].type must be "header", "body" or "button" (Meta's send format, lower case)`)
            }
          })
        }
      }
      break
    }
    case "image":
    case "video":
    case "document":
    case "audio":
    case "sticker":
      media(content.type, content.media, add, text)
      break
    case "interactive": {
      const i = content.interactive
      text("interactive.body", i.body, LIMITS.interactiveBody, "an interactive message body", "shorten it or send the long text as a text message first")
      text("interactive.header", i.header, LIMITS.header, "a header", "shorten it", true)
      text("interactive.footer", i.footer, LIMITS.footer, "a footer", "shorten it", true)
      if (i.type === "button") {
        if (!Array.isArray(i.buttons) || i.buttons.length === 0) {
          add("interactive.buttons", "interactive.buttons is empty; a button message needs 1 to 3 buttons")
          break
        }
        if (i.buttons.length > LIMITS.buttons) {
          add("interactive.buttons", `interactive.buttons has ${i.buttons.length} buttons; WhatsApp allows at most ${LIMITS.buttons} — use a list message (up to 10 rows) instead`)
        }
        i.buttons.forEach((b, n) => {
          text(`interactive.buttons[${n}].id`, b.id, LIMITS.buttonId, "a button id", "use a shorter id")
          text(`interactive.buttons[${n}].title`, b.title, LIMITS.buttonTitle, "a button title", "shorten the title")
        })
        unique(i.buttons.map((b) => b.id), "interactive.buttons", "id", add)
        unique(i.buttons.map((b) => b.title), "interactive.buttons", "title", add)
      } else if (i.type === "list") {
        text("interactive.button", i.button, LIMITS.listButton, "the list's button label", "shorten the label")
        if (!Array.isArray(i.sections) || i.sections.length === 0) {
          add("interactive.sections", "interactive.sections is empty; a list message needs 1 to 10 sections with at least one row")
          break
        }
        if (i.sections.length > LIMITS.listSections) {
          add("interactive.sections", `interactive.sections has ${i.sections.length} sections; WhatsApp allows at most ${LIMITS.listSections} — merge sections`)
        }
        const rows = i.sections.flatMap((s) => (Array.isArray(s.rows) ? s.rows : []))
        if (rows.length === 0) add("interactive.sections", "the list has no rows; add 1 to 10 rows")
        if (rows.length > LIMITS.listRows) {
          add("interactive.sections", `the list has ${rows.length} rows in total; WhatsApp allows at most ${LIMITS.listRows} across all sections — remove rows or split the choice into two messages`)
        }
        i.sections.forEach((s, n) => {
          const path = `interactive.sections[${n}]`
          text(`${path}.title`, s.title, LIMITS.sectionTitle, "a section title (required when a list has more than one section)", "shorten it", i.sections.length === 1)
          if (!Array.isArray(s.rows) || s.rows.length === 0) add(`${path}.rows`, `${path}.rows is empty; every section needs at least one row`)
          const sectionRows: ListSection["rows"] = Array.isArray(s.rows) ? s.rows : []
          sectionRows.forEach((r, m) => {
            text(`${path}.rows[${m}].id`, r.id, LIMITS.rowId, "a row id", "use a shorter id")
            text(`${path}.rows[${m}].title`, r.title, LIMITS.rowTitle, "a row title", "shorten the title and move detail to the description (72)")
            text(`${path}.rows[${m}].description`, r.description, LIMITS.rowDescription, "a row description", "shorten it", true)
          })
        })
        unique(rows.map((r) => r.id), "interactive.sections", "row id", add)
      } else {
        add("interactive.type", `interactive.type must be "button" or "list"`)
      }
      break
    }
    case "reaction":
      text("reaction.messageId", content.reaction.messageId, 512, "the message id of the reaction", "react to a message WhatsApp delivered")
      if (typeof content.reaction.emoji !== "string") add("reaction.emoji", "reaction.emoji must be a string (an emoji; \"\" removes the reaction)")
      else if (length(content.reaction.emoji) > 10) add("reaction.emoji", "reaction.emoji must be a single emoji (or \"\" to remove the reaction)")
      break
    default:
      add("type", `type ${JSON.stringify((content as { type?: unknown }).type)} cannot be sent over WhatsApp`)
  }
  return problems
}

/** The recipient, the reply and the tracking id of a request (the content is `validateOutbound`'s). */
export function validateRecipient(req: Pick<OutboundRequest, "to" | "replyTo" | "trackingId">): Array<OutboundProblem> {
  const problems: Array<OutboundProblem> = []
  const { waId, userId } = req.to
  if ((waId === null || waId === "") && (userId === null || userId === "")) {
    problems.push({ path: "to", message: "the resident has neither a phone number (wa_id) nor a business-scoped user id; nothing can be sent" })
  } else if (waId !== null && waId !== "") {
    if (!PHONE.test(waId)) problems.push({ path: "to.waId", message: `to.waId must be a phone number in international format, digits only (e.g. 31612345678)` })
  } else if (userId !== null && !BSUID.test(userId)) {
    problems.push({ path: "to.userId", message: `to.userId must be a business-scoped user id like "NL.1349120865"` })
  }
  if (req.replyTo !== undefined && req.replyTo !== null && req.replyTo.trim() === "") {
    problems.push({ path: "replyTo", message: "replyTo is empty; give the WhatsApp message id (wamid…) of the quoted message or leave it out" })
  }
  if (typeof req.trackingId !== "string" || req.trackingId === "" || length(req.trackingId) > LIMITS.trackingId) {
    problems.push({ path: "trackingId", message: `trackingId must be 1 to ${LIMITS.trackingId} characters (it travels as biz_opaque_callback_data)` })
  }
  return problems
}

type Add = (path: string, message: string) => void
type Text = (path: string, value: unknown, max: number, what: string, fix: string, optional?: boolean) => void

function media(type: "image" | "video" | "document" | "audio" | "sticker", ref: MediaRef, add: Add, text: Text) {
  if (typeof ref !== "object" || ref === null) return add("media", "media is missing; give a media id or an https link")
  const hasId = typeof ref.id === "string" && ref.id !== ""
  const hasLink = typeof ref.link === "string" && ref.link !== ""
  if (hasId === hasLink) {
    add("media", hasId ? "media has both id and link; give one of them" : "media needs an id (upload first via POST /api/v1/media) or an https link")
  }
  if (hasLink) {
    let url: URL | undefined
    try {
      url = new URL(ref.link as string)
    } catch {
      url = undefined
    }
    if (url === undefined || url.protocol !== "https:") add("media.link", "media.link must be an absolute https URL WhatsApp can fetch")
  }
  const hasCaption = ref.caption !== undefined && ref.caption !== null && ref.caption !== ""
  if ((type === "audio" || type === "sticker") && hasCaption) {
    add("media.caption", `${type} messages cannot carry a caption — send the text as a separate text message`)
  } else if (hasCaption) {
    text("media.caption", ref.caption, LIMITS.caption, "a caption", "shorten it or send the text as a separate text message", true)
  }
  if (type !== "document" && ref.filename !== undefined && ref.filename !== null && ref.filename !== "") {
    add("media.filename", `only documents carry a filename; leave media.filename out of ${type} messages`)
  }
}

function unique(values: ReadonlyArray<string>, path: string, what: string, add: Add) {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(value)) {
      add(path, `${path}: ${what} ${JSON.stringify(value)} is used twice; each ${what} must be unique within the message`)
      return
    }
    seen.add(value)
  }
}
