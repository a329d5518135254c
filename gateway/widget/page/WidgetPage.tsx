/**
 * `GET /widget`: the page for IT teams — the widget's settings as they are now, a preview on a
 * sample page, the snippet to copy, QR codes and A4 posters to download, campaigns with their
 * scan counts. Server-rendered (Hono JSX), no script of its own, no styles beyond the browser's.
 */
import type { Campaign } from "../../../actors/widget/CampaignStore.ts"
import type { WidgetSettingsInput } from "../../../domain/widget/config.ts"
import { waMeLink } from "../../../domain/widget/link.ts"
import { WIDGET_PAGE_TEXTS, type WidgetPageLanguage, type WidgetPageTexts } from "./texts.ts"

export interface WidgetPageProps {
  readonly origin: string
  readonly settings: WidgetSettingsInput
  readonly campaigns: ReadonlyArray<Campaign>
  readonly language: WidgetPageLanguage
}

function SettingsTable({ settings, t }: { settings: WidgetSettingsInput; t: WidgetPageTexts }) {
  const rows: Array<[string, string]> = [
    [t.rows.enabled, settings.enabled ? t.yes : t.offEverywhere],
    [t.rows.number, settings.number === "" ? t.noNumber : settings.number],
    [t.rows.text, settings.text],
    [t.rows.percentage, `${settings.percentage} %`],
    [t.rows.include, settings.paths.include.join(", ") || t.none],
    [t.rows.exclude, settings.paths.exclude.join(", ") || "—"],
    [t.rows.origins, settings.origins?.join(", ") ?? t.all],
    [t.rows.officeHours, settings.officeHours ?? "ignore"]
  ]
  return (
    <table>
      <caption>{t.settingsCaption}</caption>
      <tbody>{rows.map(([label, value]) => <tr><th scope="row">{label}</th><td>{value}</td></tr>)}</tbody>
    </table>
  )
}

export function WidgetPage({ origin, settings, campaigns, language }: WidgetPageProps) {
  const t = WIDGET_PAGE_TEXTS[language]
  const script = `<script async src="${origin}/widget.js"></script>`
  const fallback = settings.number === ""
    ? ""
    : `<div data-loket-widget><a href="${waMeLink(settings.number, settings.text)}" rel="noopener">Chat via WhatsApp</a></div>`
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t.title}</title>
      </head>
      <body>
        <main>
          <h1>{t.heading}</h1>
          <p><a href={`/widget?lang=${t.otherLanguage.lang}`} hreflang={t.otherLanguage.lang} lang={t.otherLanguage.lang}>{t.otherLanguage.label}</a></p>
          <section aria-labelledby="instellingen">
            <h2 id="instellingen">{t.settings}</h2>
            <SettingsTable settings={settings} t={t} />
            <p>{t.change} <a href="/console/admin/settings#widget-enabled">{t.changeLink}</a> {t.changeRest} <code>PATCH /api/v1/settings</code> {language === "nl" ? "en" : "and"} <code>{`{"widget": {…}}`}</code> {t.changeApi} <code>LOKET_CONFIG</code>. {t.seeDocs}</p>
          </section>
          <section aria-labelledby="voorbeeld">
            <h2 id="voorbeeld">{t.preview}</h2>
            <iframe src="/widget/preview" title={t.previewTitle} width="640" height="360"></iframe>
          </section>
          <section aria-labelledby="snippet">
            <h2 id="snippet">{t.onSite}</h2>
            <p><label for="script">{t.script}</label><br /><textarea id="script" readonly rows={2} cols={80}>{script}</textarea></p>
            <p><label for="fallback">{t.fallback}</label><br /><textarea id="fallback" readonly rows={3} cols={80}>{fallback}</textarea></p>
            <p>{t.csp} <code>{`script-src ${origin}; connect-src ${origin}; img-src ${origin}`}</code></p>
          </section>
          <section aria-labelledby="posters">
            <h2 id="posters">{t.posters}</h2>
            <ul>
              <li><a href="/widget/poster.svg" download="poster-whatsapp.svg">{t.poster}</a></li>
              <li><a href="/widget/qr.svg?size=1024" download="qr-whatsapp.svg">{t.qrSvg}</a></li>
              <li><a href="/widget/qr.png?size=1024" download="qr-whatsapp.png">{t.qrPng}</a></li>
            </ul>
          </section>
          <section aria-labelledby="campagnes">
            <h2 id="campagnes">{t.campaigns}</h2>
            {campaigns.length === 0
              ? <p>{t.noCampaigns} <code>POST /api/v1/campaigns</code>.</p>
              : (
                <table>
                  <caption>{t.campaignsCaption}</caption>
                  <thead><tr><th scope="col">{t.campaign}</th><th scope="col">{t.link}</th><th scope="col">{t.scans}</th><th scope="col">{t.lastScan}</th><th scope="col">{t.posterOf}</th></tr></thead>
                  <tbody>
                    {campaigns.map((c) => (
                      <tr>
                        <td>{c.name}</td>
                        <td><code>{`${origin}/r/${c.id}`}</code></td>
                        <td>{c.scans}</td>
                        <td>{c.lastScanAt ?? "—"}</td>
                        <td><a href={`/widget/poster.svg?campaign=${c.id}`} download={`poster-${c.id}.svg`}>{t.posterOf} {c.name}</a></td>
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
