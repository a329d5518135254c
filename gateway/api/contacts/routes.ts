/**
 * `GET /api/v1/contacts/:id`, `POST /api/v1/contacts/:id/links {contactId}` and
 * `DELETE /api/v1/contacts/:id/links/:otherId` (any role): a resident's contacts across channels
 * (actors/contacts/ContactLinks.ts, docs/contacts.md "Linked contacts"). With the `access`
 * setting "team", a contact none of whose conversations the caller may see is unknown to it.
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { ContactLinks, type SeesConversation } from "../../../actors/contacts/ContactLinks.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { auditActorOf } from "../audit-actor.ts"
import type { AuthEnv } from "../auth/index.ts"
import { canSee, visibilityOf } from "../conversations/access.ts"
import { readBody } from "../people/body.ts"
import { contactErrorResponse } from "./errors.ts"
import { LinkBody } from "./schemas.ts"

const decodeLink = decodeWith(LinkBody)

export function contactRoutes(runtime: AppRuntime) {
  const seesOf = async (c: Context<AuthEnv>): Promise<SeesConversation> => {
    const visibility = await visibilityOf(runtime, c.get("principal"))
    return visibility.all ? "all" : (conversation) => canSee(visibility, conversation)
  }
  /** Runs `effect`; a success is answered with `status`, a failure in one place (errors.ts). */
  const answer = async <A>(c: Context, effect: Effect.Effect<A, unknown, ContactLinks>, ok: (value: A) => Response) => {
    const result = await runtime.runPromise(Effect.result(effect))
    return result._tag === "Success" ? ok(result.success) : contactErrorResponse(c, result.failure)
  }

  return new Hono<AuthEnv>()
    .get("/:id", async function getContact(c) {
      const sees = await seesOf(c)
      return answer(c, ContactLinks.use((links) => links.profile(c.req.param("id"), sees)), (profile) => c.json(profile))
    })
    .post("/:id/links", async function linkContacts(c) {
      const body = await readBody(c, decodeLink)
      if (!body.ok) return body.response
      const sees = await seesOf(c)
      const actor = auditActorOf(c.get("principal"))
      return answer(c, ContactLinks.use((links) => links.link(c.req.param("id"), body.value.contactId, actor, sees)),
        (change) => c.json(change.profile, change.changed ? 201 : 200))
    })
    .delete("/:id/links/:otherId", async function unlinkContacts(c) {
      const sees = await seesOf(c)
      const actor = auditActorOf(c.get("principal"))
      return answer(c, ContactLinks.use((links) => links.unlink(c.req.param("id"), c.req.param("otherId"), actor, sees)), (change) => c.json(change.profile))
    })
}
