/**
 * The resident-safety part of taking in a resident's message: detection on its text (body or
 * caption) and its reply title (button, list and quick replies), as the settings say. Pure.
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

export function checkInbound(body: Pick<InboundMessageBody, "text" | "reply">, settings: ResidentSafetySettings): InboundCheck {
  const options = safetyOptions(settings)
  if (!options.detectPersonalData && options.linkMode === "off") return { flags: [], stored: undefined, personalDataFound: false, blockedLinks: [] }
  const text = body.text === null || body.text === "" ? undefined : inspectText(body.text, options)
  const replyTitle = body.reply === null || body.reply.title === "" ? undefined : inspectText(body.reply.title, options)
  const flags = [...new Set([...(text?.flags ?? []), ...(replyTitle?.flags ?? [])])]
  const storedText = text === undefined ? undefined : toStored(text)
  const storedReply = replyTitle === undefined ? undefined : toStored(replyTitle)
  const stored = storedText === undefined && storedReply === undefined
    ? undefined
    : { ...(storedText === undefined ? {} : { text: storedText }), ...(storedReply === undefined ? {} : { replyTitle: storedReply }) }
  return {
    flags,
    stored,
    personalDataFound: (text?.personalData.length ?? 0) + (replyTitle?.personalData.length ?? 0) > 0,
    blockedLinks: [...(text?.links ?? []), ...(replyTitle?.links ?? [])].filter((l) => l.verdict === "blocked")
  }
}
