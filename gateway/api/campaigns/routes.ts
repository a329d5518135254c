/**
 * `/api/v1/campaigns` (admin): the widget's QR campaigns and their scan counts.
 * `GET /` lists, `POST /` creates (`{id, name, text?, managedQr?}`), `GET /:id`,
 * `PATCH /:id` (`{name?, text?, managedQr?}`), `DELETE /:id`. The link to print is `/r/<id>`;
 * `GET /widget/qr.svg?campaign=<id>` draws it. With `managedQr`, Meta also keeps a managed QR code
 * (`wa.me/message/<code>`) with the campaign's text: created, updated and deleted at Meta first,
 * so Loket never records a code Meta does not have. Every change is audited (`campaign.create`,
 * `campaign.update`, `campaign.delete`, target `campaign:<id>`), as the people routes are.
 */
import { Clock, Effect } from "effect"
import { type Context, Hono } from "hono"
import { type Campaign, type CampaignChange, makeCampaignStore } from "../../../actors/widget/CampaignStore.ts"
import type { ChannelAdapter, ChannelManagedQr } from "../../../adapters/ChannelAdapter.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import { CreateCampaignBody, UpdateCampaignBody } from "../../widget/schemas.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { Audit } from "../../../actors/audit/Audit.ts"
import type { Principal } from "../../../actors/people/Principal.ts"
import { auditActorOf } from "../audit-actor.ts"
import type { AuthEnv } from "../auth/index.ts"

/** A campaign body is a few hundred bytes: the limit in the app's body-limit table (gateway/app.ts). */
export const CAMPAIGN_BODY_LIMIT = 16 * 1024
const decodeCreate = decodeWith(CreateCampaignBody)
const decodeUpdate = decodeWith(UpdateCampaignBody)

const toAnswer = (row: Campaign) => ({
  id: row.id, name: row.name, text: row.text, scans: row.scans, lastScanAt: row.lastScanAt, link: `/r/${row.id}`,
  managedQr: row.managedQrCode === null || row.managedQrLink === null ? null : { code: row.managedQrCode, link: row.managedQrLink },
  createdAt: row.createdAt, updatedAt: row.updatedAt
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
/** Without a channel that keeps managed QR codes, every campaign is a plain one. */
const NO_MANAGED_QR: ChannelManagedQr = {
  maxTextLength: 0,
  codes: undefined,
  unavailable: "No channel of this Loket keeps managed QR codes; create the campaign without managedQr.",
  provider: "the provider"
}

type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }
const settle = <A, E extends { message: string }>(effect: Effect.Effect<A, E>): Effect.Effect<Outcome<A>> =>
  effect.pipe(Effect.map((value) => ({ ok: true as const, value })), Effect.catch((e) => Effect.succeed({ ok: false as const, message: e.message })))

/** `channels`: the running adapters; managed QR codes are the one that has `managedQr` (WhatsApp's). */
export function campaignRoutes(runtime: AppRuntime, database: DatabaseShape, channels: ReadonlyArray<ChannelAdapter>) {
  const store = makeCampaignStore(database)
  /** The audit entry of a change that succeeded, durably (before/after: the campaign views, no residents' data). */
  const audited = (by: Principal, action: string, id: string, before: Campaign | undefined, after: Campaign | undefined) =>
    runtime.runPromise(Effect.gen(function*() {
      const audit = yield* Audit
      yield* database.transaction(audit.record({
        actor: auditActorOf(by), action, target: `campaign:${id}`,
        before: before === undefined ? null : toAnswer(before), after: after === undefined ? null : toAnswer(after)
      }))
      yield* database.committed()
    }))
  const managedQr = channels.find((adapter) => adapter.managedQr !== undefined)?.managedQr ?? NO_MANAGED_QR
  const meta = managedQr.codes
  const noManagedQr = (c: Context) => jsonError(c, 409, "managed_qr_unavailable", managedQr.unavailable)
  const managedText = (c: Context, text: string | null | undefined) =>
    text === null || text === undefined || Array.from(text).length > managedQr.maxTextLength
      ? invalidBody(c, [{ path: "text", message: `a managed QR code needs a text of 1 to ${managedQr.maxTextLength} characters (${managedQr.provider}'s limit)` }])
      : undefined
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
  const metaFailed = (c: Context, message: string) => jsonError(c, 502, "managed_qr_failed", `${message} Nothing was changed; try again.`)

  return new Hono<AuthEnv>()
    .get("/", async function listCampaigns(c) {
      return c.json({ items: (await run(store.list())).map(toAnswer) })
    })
    .post("/", async function createCampaign(c) {
      const body = await jsonBody(c)
      if (!body.ok) return jsonError(c, 400, "invalid_json", "The body is not JSON: send {\"id\",\"name\",\"text\"?,\"managedQr\"?}.")
      const decoded = decodeCreate(body.value)
      if (!decoded.ok) return invalidBody(c, decoded.details)
      const { id, name, text, managedQr } = decoded.value
      const taken = () => jsonError(c, 409, "campaign_exists", `A campaign ${id} exists already; choose another id or PATCH it.`)
      if ((await run(store.find(id))) !== undefined) return taken()
      let managed: { managedQrCode: string; managedQrLink: string } | undefined
      if (managedQr === true) {
        if (meta === undefined) return noManagedQr(c)
        const refused = managedText(c, text)
        if (refused !== undefined) return refused
        const created = await run(settle(meta.create(text!)))
        if (!created.ok) return metaFailed(c, created.message)
        managed = { managedQrCode: created.value.code, managedQrLink: created.value.deepLinkUrl }
      }
      const row = await run(Effect.flatMap(now, (at) => store.create({ id, name, text: text ?? null, ...managed }, at)))
      if (row === undefined) {
        // Another request took the id in between: the code made for this one goes again.
        if (managed !== undefined && meta !== undefined) await run(settle(meta.remove(managed.managedQrCode)))
        return taken()
      }
      await audited(c.get("principal"), "campaign.create", row.id, undefined, row)
      return c.json(toAnswer(row), 201)
    })
    .get("/:id", async function getCampaign(c) {
      const row = await run(store.find(c.req.param("id")))
      return row === undefined ? notFound(c) : c.json(toAnswer(row))
    })
    .patch("/:id", async function updateCampaign(c) {
      const body = await jsonBody(c)
      if (!body.ok) return jsonError(c, 400, "invalid_json", "The body is not JSON: send {\"name\"?,\"text\"?,\"managedQr\"?}.")
      const decoded = decodeUpdate(body.value)
      if (!decoded.ok) return invalidBody(c, decoded.details)
      const current = await run(store.find(c.req.param("id")))
      if (current === undefined) return notFound(c)
      const { managedQr, ...change } = decoded.value
      const text = change.text === undefined ? current.text : change.text
      const wantsManaged = managedQr ?? current.managedQrCode !== null
      const update: CampaignChange = { ...change }
      if (wantsManaged) {
        if (meta === undefined) return noManagedQr(c)
        const refused = managedText(c, text)
        if (refused !== undefined) return refused
        if (current.managedQrCode === null || text !== current.text) {
          const synced = await run(settle(current.managedQrCode === null ? meta.create(text!) : meta.update(current.managedQrCode, text!)))
          if (!synced.ok) return metaFailed(c, synced.message)
          Object.assign(update, { managedQrCode: synced.value.code, managedQrLink: synced.value.deepLinkUrl })
        }
      } else if (current.managedQrCode !== null) {
        if (meta === undefined) return noManagedQr(c)
        const removed = await run(settle(meta.remove(current.managedQrCode)))
        if (!removed.ok) return metaFailed(c, removed.message)
        Object.assign(update, { managedQrCode: null, managedQrLink: null })
      }
      const row = await run(Effect.flatMap(now, (at) => store.update(current.id, update, at)))
      if (row === undefined) return notFound(c)
      await audited(c.get("principal"), "campaign.update", row.id, current, row)
      return c.json(toAnswer(row))
    })
    .delete("/:id", async function deleteCampaign(c) {
      const current = await run(store.find(c.req.param("id")))
      if (current === undefined) return notFound(c)
      if (current.managedQrCode !== null) {
        if (meta === undefined) return noManagedQr(c)
        const removed = await run(settle(meta.remove(current.managedQrCode)))
        if (!removed.ok) return metaFailed(c, removed.message)
      }
      const row = await run(store.remove(current.id))
      if (row === undefined) return notFound(c)
      await audited(c.get("principal"), "campaign.delete", current.id, current, undefined)
      return c.body(null, 204)
    })
}
