/** Instagram's environment variables (CONTRACT.md "More channels"), read with Effect Config. */
import { Config as C, Option } from "effect"
import { apiUrl } from "../messenger/config.ts"

const optionalRedacted = (name: string) => C.option(C.Redacted(name)).pipe(C.map(Option.getOrUndefined))
const optionalString = (name: string) => C.option(C.NonEmptyString(name)).pipe(C.map(Option.getOrUndefined))

export const InstagramConfig = C.all({
  /**
   * Signs Instagram's webhooks (X-Hub-Signature-256). With Instagram Login the app has its own
   * Instagram app secret: set INSTAGRAM_APP_SECRET; else META_APP_SECRET is used.
   */
  instagramAppSecret: optionalRedacted("INSTAGRAM_APP_SECRET"),
  metaAppSecret: optionalRedacted("META_APP_SECRET"),
  /** Loket's own app id: echoes of its sends carry it and are not recorded again (Instagram echoes carry no metadata). */
  instagramAppId: optionalString("INSTAGRAM_APP_ID"),
  metaAppId: optionalString("META_APP_ID"),
  accessToken: optionalRedacted("INSTAGRAM_ACCESS_TOKEN"),
  verifyToken: optionalRedacted("INSTAGRAM_VERIFY_TOKEN"),
  /** The account has Meta's Human Agent permission: replies by a person may go out up to 7 days (HUMAN_AGENT tag). */
  humanAgent: C.Boolean("INSTAGRAM_HUMAN_AGENT").pipe(C.withDefault(false)),
  /**
   * Instagram API with Instagram Login (no Facebook Page needed): https://graph.instagram.com/v23.0.
   * With a Page-linked account and a Page token (Facebook Login): https://graph.facebook.com/v23.0.
   */
  apiUrl: apiUrl("INSTAGRAM_API_URL", "https://graph.instagram.com/v23.0")
})

export type InstagramSettings = C.Success<typeof InstagramConfig>
