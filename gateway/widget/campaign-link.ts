/**
 * `GET /r/:campaign`: the link a poster's or letter's QR code holds. Counts one scan (a number
 * and the time: no IP address, no cookie, nothing about who scanned) and redirects to wa.me with
 * the campaign's text (or to its Meta managed QR link, when it has one). A campaign that no longer exists still leads to the chat, uncounted: a
 * poster outlives its campaign. The kill switch is for the website button, not for paper.
 */
import { Clock, Effect } from "effect"
import { Hono } from "hono"
import { makeCampaignStore } from "../../actors/widget/CampaignStore.ts"
import { widgetSettingsNow } from "../../actors/widget/widget-settings.ts"
import { normalizeNumber, waMeLink } from "../../domain/widget/link.ts"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import { jsonError } from "../http/errors.ts"
import type { AppRuntime } from "../Runtime.ts"

const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{0,63}$/

export function campaignLinkRoutes(runtime: AppRuntime, database: DatabaseShape) {
  const store = makeCampaignStore(database)
  return new Hono().get("/:campaign", async function campaignScan(c) {
    const id = c.req.param("campaign")
    const { settings, campaign } = await runtime.runPromise(Effect.gen(function*() {
      const settings = (yield* widgetSettingsNow).widget
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const campaign = CAMPAIGN_ID.test(id) ? yield* store.countScan(id, now) : undefined
      return { settings, campaign }
    }))
    const target = campaign?.managedQrLink ??
      (normalizeNumber(settings.number) === "" ? null : waMeLink(settings.number, campaign?.text ?? settings.text))
    if (target === null) return jsonError(c, 404, "widget_not_configured", "This chat link is not in use yet.")
    c.header("cache-control", "no-store")
    c.header("referrer-policy", "no-referrer")
    return c.redirect(target, 302)
  })
}
