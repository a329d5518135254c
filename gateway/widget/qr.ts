/**
 * QR codes of wa.me (or campaign) links, drawn on the server with `qrcode`: SVG with a title and
 * an accessible name (`role="img"`), PNG for tools that want pixels. Error correction M (15 %):
 * survives a crease or a smudge on a poster.
 */
import QRCode from "qrcode"

export interface QrOptions {
  readonly size: number
  readonly margin: number
  /** The accessible name: what scanning it does. */
  readonly title: string
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

export async function qrSvg(content: string, options: QrOptions): Promise<string> {
  const svg = await QRCode.toString(content, { type: "svg", errorCorrectionLevel: "M", margin: options.margin, width: options.size })
  const title = escapeXml(options.title)
  return svg.replace(/^<svg /, `<svg role="img" aria-labelledby="loket-qr-title" `).replace(/^(<svg[^>]*>)/, `$1<title id="loket-qr-title">${title}</title>`)
}

export function qrPng(content: string, options: QrOptions): Promise<Buffer> {
  return QRCode.toBuffer(content, { type: "png", errorCorrectionLevel: "M", margin: options.margin, width: options.size })
}

/** Whether `content` fits a QR code at level M (2,331 bytes in byte mode). */
export const fitsQr = (content: string) => Buffer.byteLength(content) <= 2_331
