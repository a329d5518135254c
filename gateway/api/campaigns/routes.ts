/**
 * `/api/v1/campaigns` (admin): the widget's QR campaigns and their scan counts.
 * `GET /` lists, `POST /` creates (`{id, name, text?}`), `GET /:id`, `PATCH /:id` (`{name?, text?}`),
 * `DELETE /:id`. The link to print is `/r/<id>`; `GET /widget/qr.svg?campaign=<id>` draws it.
 */
import { Clock, Effect } from "effect"
import { type Context, Hono } from "hono"
import { type Campaign, makeCampaignStore } from "../../../actors/widget/CampaignStore.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { declaredBodyLimit } from "../../http/body-limit/index.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import { CreateCampaignBody, UpdateCampaignBody } from "../../widget/schemas.ts"
import type { AuthEnv } from "../auth/index.ts"

/** A campaign body is a few hundred bytes. */
export const CAMPAIGN_BODY_LIMIT = 16 * 1024
const decodeCreate = decodeWith(CreateCampaignBody)
const decodeUpdate = decodeWith(UpdateCampaignBody)

const toAnswer = (row: Campaign) => ({
  id: row.id, name: row.name, text: row.text, scans: row.scans, lastScanAt: row.lastScanAt,
  link: `/r/${row.id}`, createdAt: row.createdAt, updatedAt: row.updatedAt
})

const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

async function jsonBody(c: Context): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: await c.req.json() }
  } catch {
    return { ok: false }
  }
}

const invalidBody = (c: Context, details: ReadonlyArray<{ path: string; message: string }>) =>
  jsonError(c, 422, "invalid_campaign", `Invalid campaign: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}.`, details)
const notFound = (c: Context) => jsonError(c, 404, "campaign_not_found", `No campaign ${c.req.param("id")}.`)

export function campaignRoutes(database: DatabaseShape) {
  const store = makeCampaignStore(database)
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
  const limit = declaredBodyLimit({
    maxSize: CAMPAIGN_BODY_LIMIT,
    onError: (c) => jsonError(c, 413, "body_too_large", `A campaign body is at most ${CAMPAIGN_BODY_LIMIT / 1024} KiB.`)
  })

  return new Hono<AuthEnv>()
    .get("/", async function listCampaigns(c) {
      return c.json({ items: (await run(store.list())).map(toAnswer) })
    })
    .post("/", limit, async function createCampaign(c) {
      const body = await jsonBody(c)
      if (!body.ok) return jsonError(c, 400, "invalid_json", "The body is not JSON: send {\"id\",\"name\",\"text\"?}.")
      const decoded = decodeCreate(body.value)
      if (!decoded.ok) return invalidBody(c, decoded.details)
      const { id, name, text } = decoded.value
      const row = await run(Effect.flatMap(now, (at) => store.create({ id, name, text: text ?? null }, at)))
      if (row === undefined) return jsonError(c, 409, "campaign_exists", `A campaign ${id} exists already; choose another id or PATCH it.`)
      return c.json(toAnswer(row), 201)
    })
    .get("/:id", async function getCampaign(c) {
      const row = await run(store.find(c.req.param("id")))
      return row === undefined ? notFound(c) : c.json(toAnswer(row))
    })
    .patch("/:id", limit, async function updateCampaign(c) {
      const body = await jsonBody(c)
      if (!body.ok) return jsonError(c, 400, "invalid_json", "The body is not JSON: send {\"name\"?,\"text\"?}.")
      const decoded = decodeUpdate(body.value)
      if (!decoded.ok) return invalidBody(c, decoded.details)
      const row = await run(Effect.flatMap(now, (at) => store.update(c.req.param("id"), decoded.value, at)))
      return row === undefined ? notFound(c) : c.json(toAnswer(row))
    })
    .delete("/:id", async function deleteCampaign(c) {
      const row = await run(store.remove(c.req.param("id")))
      return row === undefined ? notFound(c) : c.body(null, 204)
    })
}
