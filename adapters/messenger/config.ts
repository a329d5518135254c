/** Messenger's environment variables (CONTRACT.md "More channels"), read with Effect Config. */
import { Config as C, Option } from "effect"

const optionalRedacted = (name: string) => C.option(C.Redacted(name)).pipe(C.map(Option.getOrUndefined))
const optionalString = (name: string) => C.option(C.NonEmptyString(name)).pipe(C.map(Option.getOrUndefined))

/** A Graph API base URL, version included, without its trailing slash. */
export const apiUrl = (name: string, fallback: string) =>
  C.URL(name).pipe(C.withDefault(new URL(fallback)), C.map((u) => u.href.replace(/\/+$/, "")))

export const MessengerConfig = C.all({
  /** Signs Messenger's (and Instagram's, and as a fallback WhatsApp's) webhooks: X-Hub-Signature-256. */
  appSecret: optionalRedacted("META_APP_SECRET"),
  /** Loket's own Meta app id: echoes of its sends carry it (optional; Messenger's echoes also carry Loket's metadata). */
  appId: optionalString("META_APP_ID"),
  pageAccessToken: optionalRedacted("MESSENGER_PAGE_ACCESS_TOKEN"),
  verifyToken: optionalRedacted("MESSENGER_VERIFY_TOKEN"),
  /** The page has Meta's Human Agent permission: replies by a person may go out up to 7 days (HUMAN_AGENT tag). */
  humanAgent: C.Boolean("MESSENGER_HUMAN_AGENT").pipe(C.withDefault(false)),
  /** Shared with WhatsApp. */
  graphApiUrl: apiUrl("GRAPH_API_URL", "https://graph.facebook.com/v23.0")
})

export type MessengerSettings = C.Success<typeof MessengerConfig>
