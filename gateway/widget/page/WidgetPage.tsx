/**
 * `GET /widget`: the page for IT teams — the widget's settings as they are now, a preview on a
 * sample page, the snippet to copy, QR codes and A4 posters to download, campaigns with their
 * scan counts. Server-rendered (Hono JSX), no script of its own, no styles beyond the browser's.
 */
import type { Campaign } from "../../../actors/widget/CampaignStore.ts"
import type { WidgetSettingsInput } from "../../../domain/widget/config.ts"
import { waMeLink } from "../../../domain/widget/link.ts"

export interface WidgetPageProps {
  readonly origin: string
  readonly settings: WidgetSettingsInput
  readonly campaigns: ReadonlyArray<Campaign>
}

function SettingsTable({ settings }: { settings: WidgetSettingsInput }) {
  const rows: Array<[string, string]> = [
    ["Aan (enabled)", settings.enabled ? "ja" : "nee — de knop is overal verborgen"],
    ["Nummer (number)", settings.number === "" ? "nog niet ingesteld" : settings.number],
    ["Tekst (text)", settings.text],
    ["Deel van de bezoekers (percentage)", `${settings.percentage} %`],
    ["Pagina's (paths.include)", settings.paths.include.join(", ") || "geen"],
    ["Niet op (paths.exclude)", settings.paths.exclude.join(", ") || "—"],
    ["Sites (origins)", settings.origins?.join(", ") ?? "alle"],
    ["Openingstijden (officeHours)", settings.officeHours ?? "ignore"]
  ]
  return (
    <table>
      <caption>Instellingen van de widget</caption>
      <tbody>{rows.map(([label, value]) => <tr><th scope="row">{label}</th><td>{value}</td></tr>)}</tbody>
    </table>
  )
}

export function WidgetPage({ origin, settings, campaigns }: WidgetPageProps) {
  const script = `<script async src="${origin}/widget.js"></script>`
  const fallback = settings.number === ""
    ? ""
    : `<div data-loket-widget><a href="${waMeLink(settings.number, settings.text)}" rel="noopener">Chat via WhatsApp</a></div>`
  return (
    <html lang="nl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Loket — chatknop op de website</title>
      </head>
      <body>
        <main>
          <h1>Chatknop op de website</h1>
          <section aria-labelledby="instellingen">
            <h2 id="instellingen">Instellingen</h2>
            <SettingsTable settings={settings} />
            <p>Wijzigen: in de console onder <a href="/console/admin/settings#widget-enabled">Instellingen → Chatknop op de website</a> (aan/uit, nummer, percentage, pagina's, openingstijden), met <code>PATCH /api/v1/settings</code> en <code>{`{"widget": {…}}`}</code> (admin-token), of met <code>LOKET_CONFIG</code>. Zie docs/widget.md.</p>
          </section>
          <section aria-labelledby="voorbeeld">
            <h2 id="voorbeeld">Voorbeeld</h2>
            <iframe src="/widget/preview" title="Voorbeeldpagina met de widget" width="640" height="360"></iframe>
          </section>
          <section aria-labelledby="snippet">
            <h2 id="snippet">Op de website</h2>
            <p><label for="script">Script (in elke pagina)</label><br /><textarea id="script" readonly rows={2} cols={80}>{script}</textarea></p>
            <p><label for="fallback">Zonder JavaScript (op de plek van de knop)</label><br /><textarea id="fallback" readonly rows={3} cols={80}>{fallback}</textarea></p>
            <p>Content-Security-Policy van de site: <code>{`script-src ${origin}; connect-src ${origin}; img-src ${origin}`}</code></p>
          </section>
          <section aria-labelledby="posters">
            <h2 id="posters">QR-codes en posters</h2>
            <ul>
              <li><a href="/widget/poster.svg" download="poster-whatsapp.svg">A4-poster (SVG)</a></li>
              <li><a href="/widget/qr.svg?size=1024" download="qr-whatsapp.svg">QR-code (SVG)</a></li>
              <li><a href="/widget/qr.png?size=1024" download="qr-whatsapp.png">QR-code (PNG)</a></li>
            </ul>
          </section>
          <section aria-labelledby="campagnes">
            <h2 id="campagnes">Campagnes</h2>
            {campaigns.length === 0
              ? <p>Nog geen campagnes. Maak er een met <code>POST /api/v1/campaigns</code>.</p>
              : (
                <table>
                  <caption>Campagnes en hun scans</caption>
                  <thead><tr><th scope="col">Campagne</th><th scope="col">Link</th><th scope="col">Scans</th><th scope="col">Laatste scan</th><th scope="col">Poster</th></tr></thead>
                  <tbody>
                    {campaigns.map((c) => (
                      <tr>
                        <td>{c.name}</td>
                        <td><code>{`${origin}/r/${c.id}`}</code></td>
                        <td>{c.scans}</td>
                        <td>{c.lastScanAt ?? "—"}</td>
                        <td><a href={`/widget/poster.svg?campaign=${c.id}`} download={`poster-${c.id}.svg`}>Poster {c.name}</a></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
          </section>
        </main>
      </body>
    </html>
  )
}

/** `GET /widget/preview`: a sample municipal page with the widget, for the iframe above. */
export function PreviewPage() {
  return (
    <html lang="nl">
      <head>
        <meta charset="utf-8" />
        <title>Voorbeeldpagina</title>
      </head>
      <body>
        <main>
          <h1>Afval en grofvuil</h1>
          <p>Zo ziet de knop eruit op een pagina van de gemeente.</p>
          <div data-loket-widget></div>
        </main>
        <script async src="/widget.js"></script>
      </body>
    </html>
  )
}
