/** `followUp`: the approved WhatsApp template sent to follow a conversation up (the window may be closed by then). */
import { Schema } from "effect"

export const FollowUp = Schema.Struct({
  enabled: Schema.Boolean,
  template: Schema.Struct({
    name: Schema.NonEmptyString,
    language: Schema.NonEmptyString,
    buttons: Schema.optionalKey(Schema.Array(Schema.NonEmptyString).annotate({ description: "The quick replies the template carries." }))
  }).annotate({ description: "A synced template (GET /api/v1/templates); it must be APPROVED while followUp is enabled." })
})
export type FollowUp = typeof FollowUp.Type

export const defaultFollowUp = (): FollowUp => ({ enabled: false, template: { name: "loket_follow_up", language: "nl" } })
