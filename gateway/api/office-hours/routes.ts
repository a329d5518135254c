/**
 * `GET /api/v1/office-hours?from=&days=` (any role): the office-hours preview of the contract — the
 * opening periods, the closed dates and why, and the next opening. The settings come from
 * `readSettings` (the settings service at merge; Monday–Friday 08:30–17:00 with Dutch holidays until then).
 */
import { type Context, Hono } from "hono"
import { localDate, type OfficeHoursSettings, officeHoursPreview } from "../../../domain/office-hours/OfficeHours.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AuthEnv } from "../auth/index.ts"
import { DEFAULT_PREVIEW_DAYS, OfficeHoursPreviewQuery } from "./schemas.ts"

const decodeQuery = decodeWith(OfficeHoursPreviewQuery)

/** `readSettings` may answer at once or through a Promise (e.g. `runtime.runPromise(Settings.use((s) => s.current))`). */
export function officeHoursRoutes(readSettings: () => OfficeHoursSettings | Promise<OfficeHoursSettings>, now: () => Promise<Date>) {
  const invalidQuery = (c: Context, details: Array<{ path: string; message: string }>) =>
    jsonError(c, 422, "invalid_query", `Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}. Use from=YYYY-MM-DD and days=1..400.`, details)

  return new Hono<AuthEnv>()
    .get("/", async function previewOfficeHours(c) {
      const q = decodeQuery(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      const settings = await readSettings()
      const instant = await now()
      return c.json(officeHoursPreview(settings, {
        from: q.value.from ?? localDate(instant.getTime(), settings.timezone),
        days: q.value.days ?? DEFAULT_PREVIEW_DAYS,
        now: instant
      }))
    })
}
