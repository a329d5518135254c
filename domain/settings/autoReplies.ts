/** `autoReplies`: what Loket itself answers a resident (out of hours, receipt, first contact). */
import { Schema } from "effect"
import { TextWith } from "./checks.ts"
import { defaultTexts } from "./defaults.ts"
import type { Language } from "./language.ts"

/** The placeholders each auto-reply text may use. */
export const AUTO_REPLY_PLACEHOLDERS = {
  outOfHours: ["nextOpen"],
  receipt: [],
  firstContact: []
} as const satisfies Record<string, ReadonlyArray<string>>

const AutoReply = (placeholders: ReadonlyArray<string>) => Schema.Struct({ enabled: Schema.Boolean, text: TextWith(placeholders) })

export const AutoReplies = Schema.Struct({
  outOfHours: AutoReply(AUTO_REPLY_PLACEHOLDERS.outOfHours).annotate({ description: "Sent when a resident writes outside office hours; {{nextOpen}}: e.g. \"maandag 1 december om 08:30\"." }),
  receipt: AutoReply(AUTO_REPLY_PLACEHOLDERS.receipt).annotate({ description: "Sent to confirm a message arrived." }),
  firstContact: AutoReply(AUTO_REPLY_PLACEHOLDERS.firstContact).annotate({ description: "Sent on a resident's first message." })
})
export type AutoReplies = typeof AutoReplies.Type

export const defaultAutoReplies = (language: Language): AutoReplies => ({
  outOfHours: { enabled: true, text: defaultTexts.outOfHours[language] },
  receipt: { enabled: false, text: defaultTexts.receipt[language] },
  firstContact: { enabled: false, text: defaultTexts.firstContact[language] }
})
