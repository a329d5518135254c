/**
 * WhatsApp's environment variables, read with Effect Config (part of the gateway's
 * configuration as `config.whatsapp` and `config.channels.whatsapp`).
 */
import { Config as C, Option } from "effect"

const optionalString = (name: string) => C.option(C.NonEmptyString(name)).pipe(C.map(Option.getOrUndefined))
const optionalRedacted = (name: string) => C.option(C.Redacted(name)).pipe(C.map(Option.getOrUndefined))

export const WhatsAppConfig = C.all({
  appSecret: optionalRedacted("WHATSAPP_APP_SECRET"),
  metaAppSecret: optionalRedacted("META_APP_SECRET"),
  verifyToken: optionalRedacted("WHATSAPP_VERIFY_TOKEN"),
  accessToken: optionalRedacted("WHATSAPP_ACCESS_TOKEN"),
  phoneNumberId: optionalString("WHATSAPP_PHONE_NUMBER_ID"),
  businessAccountId: optionalString("WHATSAPP_BUSINESS_ACCOUNT_ID"),
  /** Deadline for one Graph API call (sending, read receipts, templates). */
  sendTimeoutMs: C.Int("WHATSAPP_SEND_TIMEOUT_MS").pipe(C.withDefault(15_000)),
  /** Extra hosts the media download URLs Meta hands out may point to (`LOKET_MEDIA_HOSTS`, comma-separated; also `config.media.extraHosts`). */
  mediaHosts: C.String("LOKET_MEDIA_HOSTS").pipe(
    C.withDefault(""),
    C.map((s) => s.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))
  ),
  graphApiUrl: C.URL("GRAPH_API_URL").pipe(
    C.withDefault(new URL("https://graph.facebook.com/v23.0")),
    C.map((u) => u.href.replace(/\/+$/, ""))
  )
})

export type WhatsAppSettings = C.Success<typeof WhatsAppConfig>
