/**
 * `POST /api/v1/media` (multipart, field `file`, optional `channelAccountId`): uploads a file
 * to the Graph API so a reply can send it by id. Answers `{ id, mimeType, filename }`.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { Senders } from "../../../actors/outbox/Senders.ts"
import { MAX_MEDIA_BYTES, mediaKind } from "../../../adapters/whatsapp-cloud/media/allow-list.ts"
import type { LoketConfigValue } from "../../../config/Config.ts"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

export function uploadRoutes(runtime: AppRuntime, config: LoketConfigValue) {
  return new Hono<AuthEnv>().post(
    "/",
    bodyLimit({ maxSize: MAX_MEDIA_BYTES + 64 * 1024, onError: (c) => jsonError(c, 413, "payload_too_large", `Files are limited to ${MAX_MEDIA_BYTES} bytes.`) }),
    async function uploadMedia(c) {
      let form: FormData
      try {
        form = await c.req.formData()
      } catch {
        return jsonError(c, 400, "invalid_body", "Send multipart/form-data with a field named file.")
      }
      const file = form.get("file")
      if (!(file instanceof File)) return jsonError(c, 422, "invalid_media", "The field file is missing.", [{ path: "file", message: "required" }])
      const mimeType = file.type.split(";")[0]!.trim().toLowerCase()
      if (mediaKind(mimeType) === undefined) {
        return jsonError(c, 422, "invalid_media", `WhatsApp does not take ${mimeType || "files without a type"}.`, [{ path: "file", message: "type not allowed" }])
      }
      const account = (form.get("channelAccountId") as string | null) ?? config.whatsapp.phoneNumberId
      if (account === undefined) {
        return jsonError(c, 422, "invalid_media", "Name the sending number: channelAccountId, or set WHATSAPP_PHONE_NUMBER_ID.", [{ path: "channelAccountId", message: "required" }])
      }
      const sender = await runtime.runPromise(Senders.use((s) => Effect.succeed(s.of("whatsapp"))))
      if (sender?.uploadMedia === undefined) return jsonError(c, 503, "channel_not_configured", "Set WHATSAPP_ACCESS_TOKEN to upload media.")
      try {
        const bytes = new Uint8Array(await file.arrayBuffer())
        const { id } = await sender.uploadMedia(account, { bytes, mimeType, filename: file.name })
        return c.json({ id, mimeType, filename: file.name }, 201)
      } catch (error) {
        return jsonError(c, 502, "provider_error", `The Graph API did not take the file: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  )
}
