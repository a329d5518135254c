/**
 * `POST /api/v1/media` (multipart, field `file`, optional `channel` and `channelAccountId`):
 * uploads a file to the channel's provider so a reply can send it by id. Answers
 * `{ id, mimeType, filename }`. Which files a channel takes is the adapter's (`upload`).
 */
import { Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { Channels } from "../../../actors/Channels.ts"
import { jsonError } from "../../http/errors.ts"
import type { AuthEnv } from "../auth/index.ts"

/** Room for the multipart envelope around the file. */
const ENVELOPE_BYTES = 64 * 1024

export function uploadRoutes(channels: Channels["Service"]) {
  const uploading = channels.all.filter((adapter) => adapter.upload !== undefined)
  const maxBytes = Math.max(0, ...uploading.map((adapter) => adapter.upload!.maxBytes))
  const names = uploading.map((adapter) => adapter.channel).join(", ")

  return new Hono<AuthEnv>().post(
    "/",
    bodyLimit({ maxSize: maxBytes + ENVELOPE_BYTES, onError: (c) => jsonError(c, 413, "payload_too_large", `Files are limited to ${maxBytes} bytes.`) }),
    async function uploadMedia(c) {
      let form: FormData
      try {
        form = await c.req.formData()
      } catch {
        return jsonError(c, 400, "invalid_body", "Send multipart/form-data with a field named file.")
      }
      const named = form.get("channel")
      const adapter = typeof named === "string" ? channels.of(named) : uploading[0]
      if (adapter?.upload === undefined) {
        return jsonError(c, 422, "not_supported_by_channel", `${typeof named === "string" ? named : "This Loket"} takes no media uploads; channels with uploads: ${names || "none"}.`, [
          { path: "channel", message: `expected one of: ${names || "none"}` }
        ])
      }
      const upload = adapter.upload
      const file = form.get("file")
      if (!(file instanceof File)) return jsonError(c, 422, "invalid_media", "The field file is missing.", [{ path: "file", message: "required" }])
      if (file.size > upload.maxBytes) {
        return jsonError(c, 413, "payload_too_large", `${adapter.label} takes files up to ${upload.maxBytes} bytes.`)
      }
      const mimeType = file.type.split(";")[0]!.trim().toLowerCase()
      if (!upload.accepts(mimeType)) {
        return jsonError(c, 422, "invalid_media", `${adapter.label} does not take ${mimeType || "files without a type"}.`, [{ path: "file", message: "type not allowed" }])
      }
      const account = (form.get("channelAccountId") as string | null) ?? upload.defaultAccountId
      if (account === undefined) {
        return jsonError(c, 422, "invalid_media", `Name the sending account: channelAccountId (${adapter.label}: set its default, e.g. WHATSAPP_PHONE_NUMBER_ID).`, [{ path: "channelAccountId", message: "required" }])
      }
      const sender = adapter.sender
      if (sender?.uploadMedia === undefined) return jsonError(c, 503, "channel_not_configured", `Set ${adapter.sendRequires} to upload media.`)
      try {
        const bytes = new Uint8Array(await file.arrayBuffer())
        const { id } = await sender.uploadMedia(account, { bytes, mimeType, filename: file.name })
        return c.json({ id, mimeType, filename: file.name }, 201)
      } catch (error) {
        return jsonError(c, 502, "provider_error", `${adapter.label} did not take the file: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  )
}
