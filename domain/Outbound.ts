/**
 * What an agent sends, in Loket's words (the API body, validated), before a channel adapter
 * turns it into its provider's request. Validation lives with the schemas of the API route.
 */
export interface MediaRef {
  /** A media id the provider knows (uploaded first through POST /api/v1/media)… */
  readonly id?: string | undefined
  /** …or an https link the provider fetches. */
  readonly link?: string | undefined
  readonly caption?: string | undefined
  /** Documents only. */
  readonly filename?: string | undefined
}

export interface ReplyButton {
  readonly id: string
  readonly title: string
}

export interface ListSection {
  readonly title?: string | undefined
  readonly rows: ReadonlyArray<{ readonly id: string; readonly title: string; readonly description?: string | undefined }>
}

export type OutboundContent =
  | { readonly type: "text"; readonly text: string; readonly previewUrl: boolean }
  | {
    readonly type: "template"
    readonly template: {
      readonly name: string
      readonly language: string
      /** Meta's template components (header/body/button parameters), passed through. */
      readonly components?: ReadonlyArray<unknown> | undefined
    }
  }
  | { readonly type: "image" | "document" | "audio" | "video" | "sticker"; readonly media: MediaRef }
  | {
    readonly type: "interactive"
    readonly interactive:
      | { readonly type: "button"; readonly body: string; readonly header?: string | undefined; readonly footer?: string | undefined; readonly buttons: ReadonlyArray<ReplyButton> }
      | { readonly type: "list"; readonly body: string; readonly header?: string | undefined; readonly footer?: string | undefined; readonly button: string; readonly sections: ReadonlyArray<ListSection> }
  }
  | { readonly type: "reaction"; readonly reaction: { readonly messageId: string; readonly emoji: string } }

/** One message to one resident, ready for a channel adapter. */
export interface OutboundRequest {
  /** WhatsApp: the sending phone_number_id. */
  readonly channelAccountId: string
  /** The resident: a phone number (wa_id) when known, else the business-scoped user id. */
  readonly to: { readonly waId: string | null; readonly userId: string | null }
  readonly content: OutboundContent
  /** Provider id of the message this one replies to (quotes). */
  readonly replyTo?: string | null | undefined
  /** Loket's id for this send; the provider echoes it on statuses (WhatsApp: biz_opaque_callback_data). */
  readonly trackingId: string
  /** A message tag the channel needs for this send (Messenger: `HUMAN_AGENT` after its 24-hour window). */
  readonly tag?: string | undefined
  /**
   * Loket wrote this itself (an auto-reply: flag `auto` or author `loket`), no person did. A channel
   * whose tag is for human-written replies only (Messenger's `HUMAN_AGENT`) refuses to send such a
   * request with a tag; the actor refuses it before (`422 window_closed`).
   */
  readonly automated?: boolean | undefined
}
