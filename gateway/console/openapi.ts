/**
 * The console's routes in the OpenAPI document: HTML pages and forms for browsers, signed in by
 * the `loket_session` cookie (`consoleSession` security scheme); every POST carries the CSRF token.
 * The agent API also takes the cookie (with `X-CSRF-Token` on changes): that is how the console calls it.
 */
import { SIGN_IN_BODY_LIMIT } from "./login/schemas.ts"
import { CONSOLE_FORM_LIMIT } from "./limits.ts"

type Json = Record<string, unknown>

export const consoleSecurityScheme = { consoleSession: { type: "apiKey", in: "cookie", name: "loket_session", description: "The console's session (POST /console/login). State-changing requests also need the session's CSRF token: header X-CSRF-Token or form field _csrf; without it 403 csrf_token_invalid." } }

export function consolePaths(error: Json): Json {
  const html = (description: string) => ({ description, content: { "text/html": { schema: { type: "string" } } } })
  const session = [{ consoleSession: [] }]
  const toLogin = { "303": { description: "No live session: to /console/login?next=…" } }
  const idParameter = { name: "id", in: "path", required: true, schema: { type: "string" } }
  const csrf = { "401": { description: "No live session", content: { "application/json": { schema: error } } }, "403": { description: "csrf_token_invalid: no or a wrong CSRF token", content: { "application/json": { schema: error } } } }
  const form = (properties: Json, required: Array<string>) => ({
    required: true,
    content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { _csrf: { type: "string" }, ...properties }, required: ["_csrf", ...required] } } }
  })
  const action = (operationId: string, summary: string, properties: Json, required: Array<string>) => ({
    post: {
      operationId, summary, security: session, parameters: [idParameter], requestBody: form(properties, required),
      responses: {
        "200": html("htmx request (HX-Request: true): the outcome as an HTML fragment"),
        "303": { description: "A plain form post: back to the conversation" },
        "400": html("Nothing to send"), "404": html("No such conversation (or not visible with access \"team\")"),
        "413": { description: `Form over ${CONSOLE_FORM_LIMIT / 1024} KiB`, content: { "application/json": { schema: error } } },
        "422": html("The API refused it (e.g. window_closed: free text outside the 24-hour window); its message shown"), ...csrf
      }
    }
  })
  return {
    "/console": { get: { operationId: "console", summary: "The agent console: the list of conversations (view=mine|unassigned|team|all where available)", security: session, responses: { "200": html("The console"), ...toLogin } } },
    "/console/login": {
      get: { operationId: "consoleLoginPage", security: [], summary: "The sign-in form (lang=nl|en picks the console's language; next= a /console path)", responses: { "200": html("The form; sets the form's CSRF cookie"), "303": { description: "Already signed in" } } },
      post: {
        operationId: "consoleLogin", security: [], summary: "Signs in with e-mail and password; the same answer for every wrong part; throttled per account and per address",
        requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { _csrf: { type: "string" }, email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 1024 }, next: { type: "string" } }, required: ["_csrf", "email", "password"] } } } },
        responses: {
          "303": { description: "Signed in: the HttpOnly, SameSite=Lax session cookie (Secure except on loopback), to next or /console" },
          "400": html("A field is empty"), "401": html("Wrong e-mail address or password, or the account is not active"),
          "403": html("The form's CSRF token is missing or expired: reload the form"),
          "413": { description: `Over ${SIGN_IN_BODY_LIMIT / 1024} KiB`, content: { "application/json": { schema: error } } },
          "415": { description: "Not a form", content: { "application/json": { schema: error } } },
          "429": { ...html("Too many failed attempts"), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } }
        }
      }
    },
    "/console/login/oidc": { get: { operationId: "consoleOidcStart", security: [], summary: "Signs in with the municipality's OpenID Connect provider: to its authorization endpoint (code flow, PKCE S256, state, nonce)", parameters: [{ name: "next", in: "query", required: false, schema: { type: "string" } }], responses: { "302": { description: "To the provider" }, "404": { description: "oidc_not_configured", content: { "application/json": { schema: error } } }, "502": html("The provider's discovery does not answer") } } },
    "/console/login/oidc/callback": { get: { operationId: "consoleOidcCallback", security: [], summary: "The provider's redirect back: checks state, PKCE and the ID token, signs in the active agent with the verified e-mail address", responses: { "303": { description: "Signed in: the session cookie, to next or /console" }, "401": html("Not signed in: no sign-in under way, the answer did not check out, or no active agent has this address"), "404": { description: "oidc_not_configured", content: { "application/json": { schema: error } } } } } },
    "/console/logout": { post: { operationId: "consoleLogout", summary: "Ends the session at once (its live stream too)", security: session, requestBody: form({}, []), responses: { "303": { description: "To /console/login?signedOut=1, the cookie cleared" }, ...csrf } } },
    "/console/language": { get: { operationId: "consoleLanguage", security: [], summary: "Picks the console's language (to=nl|en, kept in a cookie) and goes back (back= a /console path)", responses: { "303": { description: "Back" } } } },
    "/console/c/{id}": { get: { operationId: "consoleConversation", summary: "One conversation: messages, the window, the reply box", security: session, parameters: [idParameter], responses: { "200": html("The conversation"), "404": { description: "No such conversation", content: { "application/json": { schema: error } } }, ...toLogin } } },
    "/console/c/{id}/reply": action("consoleReply", "Sends a free-text reply through POST /api/v1/conversations/{id}/messages", { text: { type: "string", maxLength: 4096 } }, ["text"]),
    "/console/c/{id}/attachment": {
      post: {
        operationId: "consoleAttachment", summary: "Uploads a file through POST /api/v1/media and sends it (image, audio, video or document by its type) through POST /api/v1/conversations/{id}/messages", security: session, parameters: [idParameter],
        requestBody: { required: true, content: { "multipart/form-data": { schema: { type: "object", properties: { _csrf: { type: "string" }, file: { type: "string", format: "binary" }, caption: { type: "string" } }, required: ["_csrf", "file"] } } } },
        responses: { "200": html("htmx request: the outcome"), "303": { description: "A plain form post: back to the conversation" }, "400": html("No file"), "413": { description: "Over 100 MiB", content: { "application/json": { schema: error } } }, "422": html("The channel refused the file or the send"), ...csrf }
      }
    },
    "/console/c/{id}/template": action("consoleTemplate", "Sends an approved template with its body parameters (one per line)", { template: { type: "string", description: "name|language" }, parameters: { type: "string" } }, ["template"]),
    "/console/c/{id}/assign": action("consoleAssign", "Hands the conversation over (team: a vakteam id, empty for none) and/or assigns it (assignee: an agent id, empty for nobody) through POST /api/v1/conversations/{id}/assign", { team: { type: "string" }, assignee: { type: "string" } }, []),
    "/console/c/{id}/close": action("consoleClose", "Closes the conversation (POST /api/v1/conversations/{id}/close); htmx reloads the page (HX-Refresh)", {}, []),
    "/console/c/{id}/reopen": action("consoleReopen", "Reopens the conversation (POST /api/v1/conversations/{id}/reopen); htmx reloads the page (HX-Refresh)", {}, []),
    "/console/c/{id}/note": action("consoleNote", "Writes an internal note, never sent to the resident (POST /api/v1/conversations/{id}/notes)", { text: { type: "string", maxLength: 4096 } }, ["text"]),
    "/console/fragments/status/{id}": { get: { operationId: "consoleStatusFragment", summary: "A conversation's team and assignee as an HTML fragment (htmx)", security: session, parameters: [idParameter], responses: { "200": html("Fragment"), "404": html("No such conversation"), ...toLogin } } },
    "/console/admin/settings": {
      get: { operationId: "consoleAdminSettings", summary: "Admins: language, access, link protection, auto-replies, weekly office hours, closed dates", security: session, responses: { "200": html("The page"), "403": html("Not an admin"), ...toLogin } },
      post: {
        operationId: "consoleAdminSaveSettings", summary: "Saves the form as a JSON merge patch through PATCH /api/v1/settings (audited)", security: session,
        requestBody: form({ language: { type: "string" }, access: { type: "string" }, "linkProtection.mode": { type: "string" }, "officeHours.weekly.monday": { type: "string", description: "e.g. 08:30-12:00, 13:00-17:00 (each weekday likewise)" }, "officeHours.closedDates": { type: "string", description: "one YYYY-MM-DD per line" } }, []),
        responses: { "303": { description: "Saved: back with saved=1" }, "400": html("A field cannot be read: the page names it"), "403": html("Not an admin, or csrf_token_invalid"), "413": { description: "Over 64 KiB", content: { "application/json": { schema: error } } }, "422": html("The API refused the settings: its details shown by path") }
      }
    },
    "/console/admin/templates/sync": {
      post: {
        operationId: "consoleAdminSyncTemplates", summary: "The settings form's \"fetch templates\" button: syncs the templates from Meta through POST /api/v1/templates/sync and shows the form again as typed, not saved, with how many were fetched and approved", security: session,
        requestBody: form({}, []),
        responses: { "200": html("The settings page with what was typed and a line on the fetch (an alert when Meta could not be reached)"), "403": html("Not an admin, or csrf_token_invalid"), "413": { description: "Over 64 KiB", content: { "application/json": { schema: error } } } }
      }
    },
    "/console/admin/people": {
      get: { operationId: "consoleAdminPeople", summary: "Admins: agents and vakteams", security: session, responses: { "200": html("The page"), "403": html("Not an admin"), ...toLogin } },
      post: { operationId: "consoleAdminCreateAgent", summary: "Adds an agent through POST /api/v1/agents (audited)", security: session, requestBody: form({ name: { type: "string" }, email: { type: "string" }, role: { type: "string" }, team: { type: "string" }, password: { type: "string" } }, ["name", "email", "role"]), responses: { "303": { description: "Added" }, "403": html("Not an admin, or csrf_token_invalid"), "422": html("The API refused it: its details shown") } }
    },
    "/console/admin/people/{id}/deactivate": { post: { operationId: "consoleAdminDeactivateAgent", summary: "Deactivates an agent through DELETE /api/v1/agents/{id}: its sessions and tokens end at once (audited)", security: session, parameters: [idParameter], requestBody: form({}, []), responses: { "303": { description: "Done" }, "403": html("Not an admin, or csrf_token_invalid"), "422": html("The API refused it") } } },
    "/console/admin/teams": { post: { operationId: "consoleAdminCreateTeam", summary: "Adds a vakteam through POST /api/v1/teams (audited)", security: session, requestBody: form({ name: { type: "string" } }, ["name"]), responses: { "303": { description: "Added" }, "403": html("Not an admin, or csrf_token_invalid"), "422": html("The API refused it") } } },
    "/console/events": { get: { operationId: "consoleEvents", summary: "Server-Sent Events for the console: `list` and `c-<conversationId>` name what changed (no resident data); ends with the session", security: session, responses: { "200": { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...toLogin } } },
    "/console/fragments/list": { get: { operationId: "consoleListFragment", summary: "The list's items as an HTML fragment (htmx)", security: session, responses: { "200": html("Fragment"), ...toLogin } } },
    "/console/fragments/messages/{id}": { get: { operationId: "consoleMessagesFragment", summary: "A conversation's messages as an HTML fragment (htmx)", security: session, parameters: [idParameter], responses: { "200": html("Fragment"), ...toLogin } } },
    "/console/assets/{name}": { get: { operationId: "consoleAsset", security: [], summary: "The console's script and styles: htmx.min.js, htmx-sse.js, console.js, console.css", parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "The file (ETag)" }, "304": { description: "Unchanged" }, "404": { description: "No such asset", content: { "application/json": { schema: error } } } } } }
  }
}
