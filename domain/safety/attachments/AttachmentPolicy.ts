/**
 * Which attachments agents may open: images, PDF, common office documents, plain text, audio and
 * video. Executables, scripts, macro-enabled office files, disk images and archives are refused
 * with a reason (an archive can hide an executable; a macro runs code when opened). A file name
 * whose extension is refused is refused whatever MIME type it claims.
 */
export type AttachmentVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: "attachment_executable" | "attachment_archive" | "attachment_type_not_allowed"; readonly reason: string }

const ALLOWED_EXACT = new Set([
  "application/pdf",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
  "application/rtf",
  "text/rtf",
  "text/plain",
  "text/csv"
])
/** Whole families, minus the members below that can carry script. */
const ALLOWED_FAMILIES = ["image/", "audio/", "video/"]
const SCRIPTABLE_MEDIA = new Set(["image/svg+xml"])

const EXECUTABLE = new Set([
  "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec", "application/vnd.microsoft.portable-executable",
  "application/x-executable", "application/x-elf", "application/x-mach-binary", "application/x-sharedlib",
  "application/x-msi", "application/x-ms-installer", "application/x-ms-shortcut", "application/x-bat", "application/x-sh",
  "application/x-shellscript", "text/x-shellscript", "application/x-csh", "application/x-powershell",
  "application/javascript", "text/javascript", "application/x-javascript", "application/ecmascript", "text/vbscript",
  "application/x-vbscript", "application/hta", "application/java-archive", "application/x-java-archive",
  "application/vnd.android.package-archive", "application/x-apple-diskimage", "application/x-iso9660-image",
  "application/x-ms-application", "application/vnd.ms-word.document.macroenabled.12",
  "application/vnd.ms-excel.sheet.macroenabled.12", "application/vnd.ms-powerpoint.presentation.macroenabled.12",
  "application/vnd.ms-excel.addin.macroenabled.12", "image/svg+xml", "text/html", "application/xhtml+xml"
])
const ARCHIVE = new Set([
  "application/zip", "application/x-zip-compressed", "application/x-rar-compressed", "application/vnd.rar", "application/x-rar",
  "application/x-7z-compressed", "application/gzip", "application/x-gzip", "application/x-tar", "application/x-bzip",
  "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-lzh-compressed", "application/x-ace-compressed",
  "application/x-cab", "application/vnd.ms-cab-compressed", "application/x-compress", "application/x-archive"
])
const EXECUTABLE_EXTENSIONS = new Set([
  "exe", "com", "scr", "pif", "msi", "msp", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta",
  "lnk", "jar", "apk", "app", "dmg", "iso", "img", "sh", "bin", "elf", "dll", "cpl", "reg", "docm", "xlsm", "pptm", "xlam",
  "svg", "html", "htm"
])
const ARCHIVE_EXTENSIONS = new Set(["zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "zst", "lzh", "ace", "cab", "arj"])

/** Whether an attachment of `mimeType` (and `filename`, when the resident's app sent one) may be fetched for agents. */
export function checkAttachment(mimeType: string, filename?: string | null): AttachmentVerdict {
  const mime = mimeType.split(";")[0]!.trim().toLowerCase()
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1]
  if (EXECUTABLE.has(mime) || (ext !== undefined && EXECUTABLE_EXTENSIONS.has(ext))) {
    return { allowed: false, code: "attachment_executable", reason: `Files of this type (${ext !== undefined && EXECUTABLE_EXTENSIONS.has(ext) ? `.${ext}` : mime}) can run code when opened and are not fetched for agents; ask the resident for a PDF or a photo instead.` }
  }
  if (ARCHIVE.has(mime) || (ext !== undefined && ARCHIVE_EXTENSIONS.has(ext))) {
    return { allowed: false, code: "attachment_archive", reason: `Archives (${ext !== undefined && ARCHIVE_EXTENSIONS.has(ext) ? `.${ext}` : mime}) can hide executables and are not fetched for agents; ask the resident to send the files themselves.` }
  }
  if (ALLOWED_EXACT.has(mime) || (ALLOWED_FAMILIES.some((f) => mime.startsWith(f)) && !SCRIPTABLE_MEDIA.has(mime))) return { allowed: true }
  return { allowed: false, code: "attachment_type_not_allowed", reason: `The type ${mime === "" ? "(none)" : mime} is not on the attachment allow-list (images, PDF, office documents, text, audio, video).` }
}
