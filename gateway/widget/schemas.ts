/** Query parameters of the public widget routes and bodies of the campaign admin API. */
import { Schema } from "effect"

/** wa.me prefilled texts; a QR code holds about 2,300 bytes, so a text must stay well below. */
export const MAX_TEXT = 500
export const Text = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(MAX_TEXT))
  .annotate({ description: `The prefilled message, 1 to ${MAX_TEXT} characters (default: the widget's text)` })
const Lang = Schema.Literals(["nl", "en"]).annotate({ description: "Language of the title and link text (default: nl)" })
const Size = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 64, maximum: 2048 }))
  .annotate({ description: "Width and height in pixels, 64 to 2048 (default 512)" })
const Margin = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 16 }))
  .annotate({ description: "Quiet zone around the code in modules, 0 to 16 (default 4, what scanners expect)" })
export const CampaignId = Schema.String.check(Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,63}$/))
  .annotate({ description: "Lower-case letters, digits and dashes, 1 to 64, e.g. poster-stadhuis-2026" })

export const ConfigQuery = Schema.Struct({
  path: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^\//), Schema.isMaxLength(2048))
    .annotate({ description: "The page's path (location.pathname), up to 2,048 characters; default /" }))
})

export const SnippetQuery = Schema.Struct({ text: Schema.optionalKey(Text), lang: Schema.optionalKey(Lang) })

export const QrQuery = Schema.Struct({
  text: Schema.optionalKey(Text),
  campaign: Schema.optionalKey(CampaignId.annotate({ description: "Encode the campaign link /r/<campaign> (scans counted) instead of wa.me" })),
  size: Schema.optionalKey(Size),
  margin: Schema.optionalKey(Margin),
  lang: Schema.optionalKey(Lang)
})

const Name = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)).annotate({ description: "For the IT team, 1 to 200 characters" })

const ManagedQr = Schema.Boolean.annotate({
  description: "Also keep a Meta managed QR code (wa.me/message/<code>, its text at most 140 characters) in sync; needs WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID"
})

export const CreateCampaignBody = Schema.Struct({
  id: CampaignId,
  name: Name,
  text: Schema.optionalKey(Schema.NullOr(Text)),
  managedQr: Schema.optionalKey(ManagedQr)
}).annotate({ identifier: "CreateCampaign" })

export const UpdateCampaignBody = Schema.Struct({
  name: Schema.optionalKey(Name),
  text: Schema.optionalKey(Schema.NullOr(Text)),
  managedQr: Schema.optionalKey(ManagedQr)
}).annotate({ identifier: "UpdateCampaign" })

export const CampaignAnswer = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  text: Schema.NullOr(Schema.String),
  scans: Schema.Number,
  lastScanAt: Schema.NullOr(Schema.String),
  link: Schema.String.annotate({ description: "The path to print: /r/<id>" }),
  managedQr: Schema.NullOr(Schema.Struct({
    code: Schema.String,
    link: Schema.String.annotate({ description: "https://wa.me/message/<code>: where /r/<id> leads when set" })
  })),
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotate({ identifier: "Campaign" })

export const WidgetConfigAnswer = Schema.Struct({
  show: Schema.Boolean.annotate({ description: "Whether the button shows on this page, before the percentage draw" }),
  reason: Schema.NullOr(Schema.Literals(["disabled", "not_configured", "path_excluded", "closed"])),
  percentage: Schema.Number.annotate({ description: "Share of browser sessions that get the button, 0–100" }),
  number: Schema.NullOr(Schema.String.annotate({ description: "The WhatsApp number, digits only" })),
  text: Schema.String.annotate({ description: "The prefilled text for this page" }),
  link: Schema.NullOr(Schema.String.annotate({ description: "https://wa.me/<number>?text=<text>" })),
  open: Schema.Boolean.annotate({ description: "Whether the contact centre answers now" }),
  nextOpen: Schema.NullOr(Schema.String.annotate({ description: "ISO instant of the next opening (when officeHours is not ignore)" })),
  officeHours: Schema.Literals(["ignore", "hide", "show-next-open"]),
  timezone: Schema.String.annotate({ description: "The office hours' zone" }),
  nextOpenText: Schema.NullOr(Schema.Struct({ nl: Schema.String, en: Schema.String }))
    .annotate({ description: "nextOpen in words for residents, e.g. {nl: \"donderdag 3 december om 08:30\", en: \"Thursday 3 December at 08:30\"}" })
}).annotate({ identifier: "WidgetConfig" })

export const PosterQuery = Schema.Struct({
  text: Schema.optionalKey(Text),
  campaign: Schema.optionalKey(CampaignId.annotate({ description: "Print the campaign link /r/<campaign> (scans counted); recommended" })),
  heading: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(120))
    .annotate({ description: "The municipality's words at the top, 1 to 120 characters" })),
  lang: Schema.optionalKey(Lang)
})
