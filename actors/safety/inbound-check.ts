/**
 * The resident-safety part of taking in a resident's message: detection on its text (body or
 * caption), its reply title (button, list and quick replies) and a Flow's answers, as the
 * settings say. Pure.
 */
import type { InboundMessageBody } from "../../domain/InboundEvent.ts"
import { inspectText } from "../../domain/safety/inspect.ts"
import type { LinkFinding } from "../../domain/safety/links/LinkGuard.ts"
import { type StoredSafety, toStored } from "./agent-view.ts"
import { type ResidentSafetySettings, safetyOptions } from "./ResidentSafety.ts"

export interface InboundCheck {
  /** Contract flags to add to the message (`pii:*`, `link:*`), each once. */
  readonly flags: ReadonlyArray<string>
  /** What to keep with the message (`content.safety`); undefined when nothing was found. */
  readonly stored: StoredSafety | undefined
  readonly personalDataFound: boolean
  readonly blockedLinks: ReadonlyArray<LinkFinding>
}

export function checkInbound(body: Pick<InboundMessageBody, "text" | "reply" | "flow">, settings: ResidentSafetySettings): InboundCheck {
  const options = safetyOptions(settings)
  if (!options.detectPersonalData && options.linkMode === "off") return { flags: [], stored: undefined, personalDataFound: false, blockedLinks: [] }
  const text = body.text === null || body.text === "" ? undefined : inspectText(body.text, options)
  const replyTitle = body.reply === null || body.reply.title === "" ? undefined : inspectText(body.reply.title, options)
  // A WhatsApp Flow's answers (nfm_reply): what the resident typed into the form's fields.
  const flowResponse = body.flow?.responseJson == null || body.flow.responseJson === "" ? undefined : inspectText(body.flow.responseJson, options)
  const all = [text, replyTitle, flowResponse]
  const flags = [...new Set(all.flatMap((i) => i?.flags ?? []))]
  const parts = { text, replyTitle, flowResponse }
  const storedParts = Object.fromEntries(Object.entries(parts).flatMap(([k, i]) => {
    const s = i === undefined ? undefined : toStored(i)
    return s === undefined ? [] : [[k, s]]
  })) as StoredSafety
  return {
    flags,
    stored: Object.keys(storedParts).length === 0 ? undefined : storedParts,
    personalDataFound: all.some((i) => (i?.personalData.length ?? 0) > 0),
    blockedLinks: all.flatMap((i) => i?.links ?? []).filter((l) => l.verdict === "blocked")
  }
}
