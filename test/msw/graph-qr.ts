/**
 * A stand-in for Meta's managed message QR codes, as msw 2 handlers checked against the documented
 * format (whatsapp-business-messaging v23.0: `POST /{Version}/{Phone-Number-ID}/message_qrdls` with
 * CreateQrCodeRequest or UpdateQrCodeRequest, `DELETE …/message_qrdls/{QR-Code-ID}`): version
 * `v<major>.<minor>`, a numeric phone number id, the bearer token, a JSON body with only the
 * documented fields, `prefilled_message` of 1–140 characters, `generate_qr_image` PNG|SVG, `code`
 * of 14 characters A–Z and 2–7. Deviations are recorded in `problems` and answered like Meta
 * (400, code 100); the codes Meta holds are in `codes`.
 */
import { randomInt } from "node:crypto"
import { http, HttpResponse, type HttpHandler } from "msw"

const CODE = /^[A-Z2-7]{14}$/
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
const newCode = () => Array.from({ length: 14 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("")

export function graphQrMock(options: { readonly graphApiUrl: string; readonly accessToken: string; readonly phoneNumberId: string }) {
  const problems: Array<string> = []
  const codes = new Map<string, string>()
  const base = new URL(options.graphApiUrl)
  const refuse = (problem: string) => {
    problems.push(problem)
    return HttpResponse.json({ error: { message: `(#100) ${problem}`, type: "OAuthException", code: 100, fbtrace_id: "AXsgnV2Cm3ZMGF3dF_cfYIn" } }, { status: 400 })
  }
  const checkCommon = (request: Request, params: Record<string, unknown>) => {
    if (!/^v\d+\.\d+$/.test(String(params.version))) return `the version ${String(params.version)} is not v<major>.<minor>`
    if (!/^\d+$/.test(String(params.phone))) return `the phone number id ${String(params.phone)} is not numeric`
    if (params.phone !== options.phoneNumberId) return `unknown phone number id ${String(params.phone)}`
    if (request.headers.get("authorization") !== `Bearer ${options.accessToken}`) return "the bearer token is missing or wrong"
    return undefined
  }
  const handlers: Array<HttpHandler> = [
    http.post(`${base.origin}/:version/:phone/message_qrdls`, async ({ request, params }) => {
      const common = checkCommon(request, params)
      if (common !== undefined) return refuse(common)
      if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) return refuse("Content-Type is not application/json")
      const body = await request.json().catch(() => undefined) as Record<string, unknown> | undefined
      if (typeof body !== "object" || body === null) return refuse("the body is not a JSON object")
      for (const key of Object.keys(body)) if (!["prefilled_message", "generate_qr_image", "code"].includes(key)) return refuse(`${key} is not a documented field`)
      const text = body.prefilled_message
      if (typeof text !== "string" || text.length === 0 || Array.from(text).length > 140) return refuse("prefilled_message must be 1 to 140 characters")
      if (body.generate_qr_image !== undefined && body.generate_qr_image !== "PNG" && body.generate_qr_image !== "SVG") return refuse("generate_qr_image must be PNG or SVG")
      let code: string
      if (body.code !== undefined) {
        if (typeof body.code !== "string" || !CODE.test(body.code)) return refuse("code must be 14 characters A-Z, 2-7")
        if (!codes.has(body.code)) return refuse(`no QR code ${body.code}`)
        code = body.code
      } else code = newCode()
      codes.set(code, text)
      return HttpResponse.json({ code, prefilled_message: text, deep_link_url: `https://wa.me/message/${code}` })
    }),
    http.delete(`${base.origin}/:version/:phone/message_qrdls/:code`, ({ request, params }) => {
      const common = checkCommon(request, params)
      if (common !== undefined) return refuse(common)
      const code = String(params.code)
      if (!CODE.test(code)) return refuse("the QR-Code-ID must be 14 characters A-Z, 2-7")
      if (!codes.delete(code)) return refuse(`no QR code ${code}`)
      return HttpResponse.json({ success: true })
    })
  ]
  return { handlers, problems, codes }
}
