/** ContactLinks' errors as HTTP answers, in one place. A DatabaseUnavailable goes on to app.ts's onError (503). */
import type { Context } from "hono"
import type { ContactNotFound, LinkConflict, LinkNotFound, LinkRefused } from "../../../actors/contacts/ContactLinks.ts"
import { jsonError } from "../../http/errors.ts"

export function contactErrorResponse(c: Context, error: unknown): Response {
  switch ((error as { _tag?: string })._tag) {
    case "ContactNotFound": {
      const e = error as ContactNotFound
      // An id in the path names a resource: 404. An id in the body is a wrong field: 422 naming it.
      if (e.field === "contactId") {
        return jsonError(c, 422, "contact_not_found", `No contact ${e.id}: name the contact.id of a conversation you can see.`,
          [{ path: "contactId", message: "unknown contact" }])
      }
      return jsonError(c, 404, "contact_not_found", `No contact with id ${e.id}.`)
    }
    case "LinkRefused": {
      const e = error as LinkRefused
      return jsonError(c, 422, e.code, e.reason, [{ path: "contactId", message: e.code === "same_contact" ? "the same contact" : "a channel the resident already has a contact on" }])
    }
    case "LinkConflict": {
      const e = error as LinkConflict
      return jsonError(c, 409, "link_conflict", `The contacts linked to ${e.id} changed meanwhile (another agent linked or unlinked one); nothing was changed: look again and retry.`)
    }
    case "LinkNotFound": {
      const e = error as LinkNotFound
      return jsonError(c, 404, "link_not_found", `Contacts ${e.id} and ${e.otherId} are not linked.`)
    }
  }
  throw error
}
