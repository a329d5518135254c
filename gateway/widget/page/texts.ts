/**
 * What the IT team's widget page (`GET /widget`) says: Dutch by default, English for an admin who
 * chose English in the console (its language cookie) or with `?lang=en`.
 */
export const WIDGET_PAGE_TEXTS = {
  nl: {
    title: "Loket — chatknop op de website", heading: "Chatknop op de website",
    settings: "Instellingen", settingsCaption: "Instellingen van de widget",
    rows: {
      enabled: "Aan (enabled)", number: "Nummer (number)", text: "Tekst (text)", percentage: "Deel van de bezoekers (percentage)",
      include: "Pagina's (paths.include)", exclude: "Niet op (paths.exclude)", origins: "Sites (origins)", officeHours: "Openingstijden (officeHours)"
    },
    yes: "ja", offEverywhere: "nee — de knop is overal verborgen", noNumber: "nog niet ingesteld", none: "geen", all: "alle",
    change: "Wijzigen: in de console onder", changeLink: "Instellingen → Chatknop op de website",
    changeRest: "(aan/uit, nummer, percentage, pagina's, openingstijden), met", changeApi: "(admin-token), of met", seeDocs: "Zie docs/widget.md.",
    preview: "Voorbeeld", previewTitle: "Voorbeeldpagina met de widget",
    onSite: "Op de website", script: "Script (in elke pagina)", fallback: "Zonder JavaScript (op de plek van de knop)", csp: "Content-Security-Policy van de site:",
    posters: "QR-codes en posters", poster: "A4-poster (SVG)", qrSvg: "QR-code (SVG)", qrPng: "QR-code (PNG)",
    campaigns: "Campagnes", noCampaigns: "Nog geen campagnes. Maak er een met", campaignsCaption: "Campagnes en hun scans",
    campaign: "Campagne", link: "Link", scans: "Scans", lastScan: "Laatste scan", posterOf: "Poster",
    otherLanguage: { label: "English", lang: "en" }
  },
  en: {
    title: "Loket — chat button on the website", heading: "Chat button on the website",
    settings: "Settings", settingsCaption: "The widget's settings",
    rows: {
      enabled: "On (enabled)", number: "Number (number)", text: "Text (text)", percentage: "Share of visitors (percentage)",
      include: "Pages (paths.include)", exclude: "Not on (paths.exclude)", origins: "Sites (origins)", officeHours: "Office hours (officeHours)"
    },
    yes: "yes", offEverywhere: "no — the button is hidden everywhere", noNumber: "not set yet", none: "none", all: "all",
    change: "To change: in the console under", changeLink: "Settings → Chat button on the website",
    changeRest: "(on/off, number, percentage, pages, office hours), with", changeApi: "(admin token), or with", seeDocs: "See docs/widget.md.",
    preview: "Preview", previewTitle: "Sample page with the widget",
    onSite: "On the website", script: "Script (in every page)", fallback: "Without JavaScript (where the button goes)", csp: "The site's Content-Security-Policy:",
    posters: "QR codes and posters", poster: "A4 poster (SVG)", qrSvg: "QR code (SVG)", qrPng: "QR code (PNG)",
    campaigns: "Campaigns", noCampaigns: "No campaigns yet. Create one with", campaignsCaption: "Campaigns and their scans",
    campaign: "Campaign", link: "Link", scans: "Scans", lastScan: "Last scan", posterOf: "Poster",
    otherLanguage: { label: "Nederlands", lang: "nl" }
  }
} as const

export type WidgetPageLanguage = keyof typeof WIDGET_PAGE_TEXTS
export type WidgetPageTexts = (typeof WIDGET_PAGE_TEXTS)[WidgetPageLanguage]
