import { describe, expect, it } from "vitest"
import { checkAttachment } from "./AttachmentPolicy.ts"

describe("checkAttachment", () => {
  it.each([
    ["image/jpeg", "foto.jpg"], ["image/png", null], ["image/webp", null], ["application/pdf", "aanvraag.pdf"],
    ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "brief.docx"], ["application/msword", "brief.doc"],
    ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "lijst.xlsx"], ["application/vnd.oasis.opendocument.text", "brief.odt"],
    ["text/plain", "notitie.txt"], ["audio/ogg; codecs=opus", null], ["audio/mpeg", null], ["video/mp4", null]
  ])("allows %s", (mime, name) => expect(checkAttachment(mime, name)).toEqual({ allowed: true }))

  it.each([
    ["application/x-msdownload", "factuur.exe", "attachment_executable"],
    ["application/pdf", "factuur.pdf.exe", "attachment_executable"], // the name decides too
    ["application/vnd.android.package-archive", null, "attachment_executable"],
    ["application/javascript", null, "attachment_executable"],
    ["image/svg+xml", "logo.svg", "attachment_executable"],
    ["application/vnd.ms-word.document.macroEnabled.12", "brief.docm", "attachment_executable"],
    ["application/zip", "stukken.zip", "attachment_archive"],
    ["application/x-7z-compressed", null, "attachment_archive"],
    ["application/octet-stream", "stukken.rar", "attachment_archive"],
    ["application/octet-stream", null, "attachment_type_not_allowed"],
    ["", null, "attachment_type_not_allowed"]
  ])("refuses %s (%s) with a reason", (mime, name, code) => {
    const verdict = checkAttachment(mime, name)
    expect(verdict).toMatchObject({ allowed: false, code })
    if (!verdict.allowed) expect(verdict.reason.length).toBeGreaterThan(20)
  })
})
