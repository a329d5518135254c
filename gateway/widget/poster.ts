/**
 * An A4 poster (SVG, 210 × 297 mm) for notice boards, counters and letters: the municipality's
 * heading, what to do, the QR code (of a campaign link, so scans are counted, or of wa.me) and
 * the link written out for who cannot scan. SVG scales without loss for print at any size.
 */
import QRCode from "qrcode"

export interface PosterInput {
  readonly heading: string
  readonly content: string
  readonly lang: "nl" | "en"
}

const TEXTS = {
  nl: { steps: ["Open de camera van uw telefoon.", "Richt hem op de QR-code.", "WhatsApp opent: stuur uw vraag."], title: "Poster: chat via WhatsApp met de gemeente" },
  en: { steps: ["Open your phone's camera.", "Point it at the QR code.", "WhatsApp opens: send your question."], title: "Poster: chat with the municipality on WhatsApp" }
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Greedy word wrap for SVG text, which does not wrap by itself. */
function wrap(text: string, width: number): Array<string> {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines.slice(0, 4)
}

export async function posterSvg(input: PosterInput): Promise<string> {
  const t = TEXTS[input.lang]
  const qr = (await QRCode.toString(input.content, { type: "svg", errorCorrectionLevel: "M", margin: 0 }))
    .replace(/^<svg /, `<svg x="45" y="118" width="120" height="120" aria-hidden="true" `)
  const heading = wrap(input.heading, 22).map((line, i) => `<text x="105" y="${40 + i * 13}" text-anchor="middle" font-size="11" font-weight="700">${escapeXml(line)}</text>`)
  const steps = t.steps.map((step, i) => `<text x="105" y="${258 + i * 8}" text-anchor="middle" font-size="6">${i + 1}. ${escapeXml(step)}</text>`)
  const shown = input.content.replace(/^https:\/\//, "").replace(/\?.*$/, "")
  return `<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" role="img" aria-labelledby="loket-poster-title">
<title id="loket-poster-title">${escapeXml(t.title)}</title>
<rect width="210" height="297" fill="#fff"/>
<rect x="0" y="0" width="210" height="14" fill="#075e54"/>
<g font-family="system-ui, Arial, sans-serif" fill="#1a1a1a">
${heading.join("\n")}
<text x="105" y="100" text-anchor="middle" font-size="9" fill="#075e54" font-weight="700">Chat via WhatsApp</text>
${qr}
${steps.join("\n")}
<text x="105" y="288" text-anchor="middle" font-size="5" fill="#444">${escapeXml(shown)}</text>
</g>
</svg>
`
}
