/**
 * The answer headers for a resident's file, whatever the channel: its type only when it is a clean
 * `type/subtype[; param=value]`, pictures, sound and video inline, everything else (documents,
 * unknown or active types such as SVG and HTML) as a download, never sniffed, never run.
 */
import type { MediaMeta } from "./cache.ts"

/** `image/jpeg; charset=x` → `image/jpeg` (lower case). */
export function baseMimeType(mimeType: string): string {
  return mimeType.split(";")[0]!.trim().toLowerCase()
}

/** Types a browser would run or render as active content: never inline. */
const ACTIVE_TYPES: ReadonlySet<string> = new Set(["image/svg+xml", "text/html", "application/xhtml+xml", "application/javascript", "text/javascript", "application/xml", "text/xml"])

/** Pictures, sound and video that are safe to show in the browser; the rest is an attachment. */
export function showsInline(mimeType: string): boolean {
  const base = baseMimeType(mimeType)
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(base)) return false
  if (ACTIVE_TYPES.has(base) || base.endsWith("+xml")) return false
  return base.startsWith("image/") || base.startsWith("audio/") || base.startsWith("video/")
}

/** The answer headers for a file (from the cache, or streamed from the channel). */
export function mediaHeaders(meta: MediaMeta): Headers {
  const disposition = showsInline(meta.mimeType) ? "inline" : "attachment"
  const filename = downloadName(meta)
  return new Headers({
    "content-type": safeContentType(meta.mimeType),
    "content-length": String(meta.size),
    "cache-control": "private, max-age=3600",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "content-disposition": `${disposition}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`
  })
}

/** The provider's type when it is a clean `type/subtype[; param=value]`, else its base type. */
function safeContentType(mimeType: string): string {
  return /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w-]+=[\w.+-]+)*$/.test(mimeType) ? mimeType : baseMimeType(mimeType)
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/ogg": "ogg",
  "audio/opus": "opus",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/csv": "csv",
  "application/rtf": "rtf",
  "application/msword": "doc",
  "application/vnd.ms-excel": "xls",
  "application/vnd.ms-powerpoint": "ppt",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  "application/vnd.oasis.opendocument.text": "odt",
  "application/vnd.oasis.opendocument.spreadsheet": "ods",
  "application/vnd.oasis.opendocument.presentation": "odp"
}

/** The resident's filename when known, else `<id>.<ext>`. */
function downloadName(meta: MediaMeta): string {
  const known = meta.filename?.replace(/[\u0000-\u001f\u007f/\\]/g, "_").trim()
  if (known) return known.slice(0, 200)
  return `${meta.id.replace(/[\u0000-\u001f\u007f/\\:]/g, "_")}.${EXTENSIONS[baseMimeType(meta.mimeType)] ?? "bin"}`
}
