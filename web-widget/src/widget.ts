/**
 * Loket's click-to-chat widget: `<script async src="https://<gateway>/widget.js"></script>`.
 * Renders "Chat via WhatsApp" in every element marked `data-loket-widget` (or one floating button
 * when there is none), in a shadow root with a constructable stylesheet. Phones get a link to
 * wa.me; desktops a button opening a dialog with the QR code of the same link (drawn by the
 * gateway) and the link itself. Whether it shows comes from `GET /widget/config` for this page:
 * the kill switch, the pages, office hours, and a share of visitors drawn once per browser
 * session (sessionStorage; no cookies). No request leaves for any host but the gateway.
 * Each host gets `data-loket-state="shown"|"hidden"` when done (and the event `loket-widget`).
 */
import { CSS } from "./styles.ts"
import { textsFor, type Texts } from "./texts.ts"

interface Config {
  readonly show: boolean
  readonly percentage: number
  readonly number: string | null
  readonly text: string
  readonly open: boolean
  readonly nextOpen: string | null
  /** The next opening in words, per language (formatted by the gateway's office-hours rules). */
  readonly nextOpenText: { readonly nl: string; readonly en: string } | null
}

// A tag manager may insert the tag so that currentScript is unset: then the tag by its name.
const script = (document.currentScript ?? document.querySelector('script[src$="/widget.js"]')) as HTMLScriptElement | null
const gateway = new URL(script?.src ?? "/", location.href).origin
const BUCKET = "loket-widget-bucket"

/** This browser session's draw, 0–99: the same on every page until the tab closes. */
function bucket(): number {
  try {
    let value = sessionStorage.getItem(BUCKET)
    if (value === null || !/^\d{1,2}$/.test(value)) sessionStorage.setItem(BUCKET, (value = String(Math.floor(Math.random() * 100))))
    return Number(value)
  } catch {
    return Math.floor(Math.random() * 100)
  }
}

type Child = Node | string | false | null
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string>, ...children: Array<Child>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const name in attrs) el.setAttribute(name, attrs[name]!)
  for (const child of children) if (child) el.append(child)
  return el
}

/** A speech bubble, decorative (the text names the button). */
function icon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg"
  const svg = document.createElementNS(ns, "svg")
  svg.setAttribute("viewBox", "0 0 24 24")
  svg.setAttribute("aria-hidden", "true")
  svg.setAttribute("focusable", "false")
  const path = document.createElementNS(ns, "path")
  path.setAttribute("d", "M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2zm0 2a8 8 0 1 1-4.2 14.8l-.3-.2-3 .8.8-2.9-.2-.3A8 8 0 0 1 12 4z")
  svg.append(path)
  return svg
}

function note(config: Config, t: Texts): HTMLElement | null {
  const when = config.open ? null : config.nextOpenText?.[t.lang]
  return when ? h("p", { class: "n" }, `${t.nextOpen}${when}.`) : null
}

const waMe = (number: string, text: string) => `https://wa.me/${number}${text ? `?text=${encodeURIComponent(text)}` : ""}`

function dialogFor(button: HTMLButtonElement, link: string, text: string, t: Texts, hours: HTMLElement | null): HTMLDialogElement {
  const close = h("button", { class: "x", type: "button" }, t.close)
  const dialog = h("dialog", { "aria-labelledby": "t", "aria-describedby": "d" },
    close,
    h("h2", { id: "t" }, t.title),
    h("p", { id: "d" }, t.scan),
    h("img", { src: `${gateway}/widget/qr.svg?text=${encodeURIComponent(text)}`, alt: t.qr, width: "220", height: "220" }),
    hours,
    h("p", {}, h("a", { href: link, target: "_blank", rel: "noopener" }, t.link, h("span", { class: "v" }, t.newWindow))))
  close.addEventListener("click", () => dialog.close())
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close())
  dialog.addEventListener("close", () => button.focus())
  // Tab and Shift+Tab stay inside the dialog.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return
    const focusable = dialog.querySelectorAll<HTMLElement>("button,a[href]")
    const first = focusable[0]!
    const last = focusable[focusable.length - 1]!
    const active = (dialog.getRootNode() as ShadowRoot).activeElement
    if (event.shiftKey ? active === first : active === last) {
      event.preventDefault()
      ;(event.shiftKey ? last : first).focus()
    }
  })
  return dialog
}

function render(host: HTMLElement, root: ShadowRoot, config: Config, sheet: CSSStyleSheet): void {
  const t = textsFor(document.documentElement.lang)
  const text = host.dataset.loketText ?? script?.dataset.loketText ?? config.text
  const link = waMe(config.number!, text)
  root.adoptedStyleSheets = [sheet]
  const phone = matchMedia("(hover: none) and (pointer: coarse)").matches
  if (phone) {
    root.append(h("a", { class: "b", href: link, target: "_blank", rel: "noopener" }, icon(), t.button), note(config, t) ?? "")
  } else {
    const button = h("button", { class: "b", type: "button", "aria-haspopup": "dialog" }, icon(), t.button)
    const dialog = dialogFor(button, link, text, t, note(config, t))
    button.addEventListener("click", () => dialog.showModal())
    root.append(button, dialog)
  }
}

type State = "shown" | "hidden" | "failed"
function done(el: Element | null, state: State): void {
  el?.setAttribute("data-loket-state", state)
  el?.dispatchEvent(new CustomEvent("loket-widget", { bubbles: true, detail: { state } }))
}

async function start(): Promise<void> {
  let hosts = Array.from(document.querySelectorAll<HTMLElement>("[data-loket-widget]"))
  const answer = await fetch(`${gateway}/widget/config?path=${encodeURIComponent(location.pathname)}`, { credentials: "omit" })
  if (!answer.ok) return done(script, "failed") // the no-JavaScript link in the host (if any) stays
  const config = (await answer.json()) as Config
  const shown = config.show && config.number !== null && bucket() < config.percentage
  if (hosts.length === 0) {
    if (document.querySelector("[data-loket-floating]")) return // the script was included twice
    if (!shown) return done(script, "hidden")
    const floating = h("div", { "data-loket-floating": "" })
    document.body.append(floating)
    hosts = [floating]
  }
  const sheet = new CSSStyleSheet()
  sheet.replaceSync(CSS)
  for (const host of hosts) {
    if (host.shadowRoot !== null) continue
    // An empty shadow root hides the host's fallback link when the widget is switched off here.
    const root = host.attachShadow({ mode: "open" })
    if (shown) render(host, root, config, sheet)
    done(host, shown ? "shown" : "hidden")
  }
  done(script, shown ? "shown" : "hidden")
}

const run = () => start().catch(() => done(script, "failed"))
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run)
else run()
