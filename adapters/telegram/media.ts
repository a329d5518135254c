/**
 * Residents' files for agents: `getFile` gives a `file_path` (valid for at least an hour),
 * then `GET <TELEGRAM_API_URL>/file/bot<token>/<file_path>` streams it. The Bot API hands
 * bots files up to 20 MB.
 */
import type { ChannelFile, ChannelMedia, ChannelMediaFailure } from "../ChannelAdapter.ts"
import { type BotApi, BotApiError } from "./bot-api.ts"

export const MAX_TELEGRAM_FILE_BYTES = 20 * 1024 * 1024

/** Telegram's file_ids: URL-safe base64, never digits only (those are WhatsApp's). */
const FILE_ID = /^(?!\d+$)[A-Za-z0-9_-]{16,256}$/

const TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif",
  oga: "audio/ogg", ogg: "audio/ogg", mp3: "audio/mpeg", m4a: "audio/mp4", mp4: "video/mp4", mov: "video/quicktime",
  pdf: "application/pdf", txt: "text/plain", csv: "text/csv",
  doc: "application/msword", docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  odt: "application/vnd.oasis.opendocument.text", tgs: "application/x-tgsticker", webm: "video/webm"
}

const fail = (status: ChannelMediaFailure["status"], code: string, message: string): ChannelMediaFailure => ({ status, code, message })

export function makeTelegramMedia(api: BotApi | undefined): ChannelMedia {
  return {
    owns: (id) => FILE_ID.test(id),
    idFormat: "a Telegram file_id (16 to 256 letters, digits, - and _, not only digits)",
    async fetch(id): Promise<ChannelFile> {
      if (api === undefined) throw fail(503, "channel_not_configured", "Telegram is not configured on this Loket: an administrator must set TELEGRAM_BOT_TOKEN to fetch media.")
      let file: { file_path?: unknown; file_size?: unknown }
      try {
        file = await api.call("getFile", { file_id: id })
      } catch (error) {
        if (error instanceof BotApiError && error.code === 400) throw fail(404, "media_not_found", "Telegram does not know this file id.")
        if (error instanceof BotApiError && error.tokenExpired) throw fail(502, "channel_token_expired", "Telegram refused Loket's bot token: an administrator must set a new TELEGRAM_BOT_TOKEN.")
        throw fail(502, "media_unavailable", "The file could not be fetched from Telegram; try again later.")
      }
      const size = typeof file.file_size === "number" ? file.file_size : null
      if (typeof file.file_path !== "string" || (size !== null && size > MAX_TELEGRAM_FILE_BYTES)) {
        throw fail(502, "media_too_large", `Telegram hands bots files up to ${MAX_TELEGRAM_FILE_BYTES} bytes (20 MB); this one is larger.`)
      }
      const response = await api.download(file.file_path).catch(() => undefined)
      if (response === undefined || !response.ok || response.body === null) {
        // Not awaited: cancelling an error answer's body may never settle (seen with msw-intercepted answers); the answer is decided.
        void response?.body?.cancel().catch(() => undefined)
        throw fail(502, "media_unavailable", "The file could not be fetched from Telegram; try again later.")
      }
      const extension = file.file_path.split(".").pop()?.toLowerCase() ?? ""
      const length = Number(response.headers.get("content-length"))
      return {
        body: response.body,
        mimeType: TYPES[extension] ?? "application/octet-stream",
        size: size ?? (Number.isSafeInteger(length) && length > 0 ? length : null),
        filename: null
      }
    }
  }
}
