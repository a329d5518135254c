/**
 * The signed-in console: a skip link, the header (who is signed in, language, help, sign out),
 * the list and the main pane, all inside the htmx SSE connection to `/console/events`; the help
 * screen (shortcuts) and the command palette (Ctrl+K) as native <dialog> elements the
 * console's script opens. The CSRF token rides on every htmx request (hx-headers) and in the
 * plain forms (`_csrf`).
 */
import type { Child } from "hono/jsx"
import type { Principal } from "../../../actors/people/Principal.ts"
import type { ConsoleLanguage, ConsoleTexts } from "../texts.ts"
import { Document } from "./Document.tsx"

export interface ShellProps {
  readonly language: ConsoleLanguage
  readonly texts: ConsoleTexts
  readonly principal: Principal
  readonly csrf: string
  readonly title: string
  readonly here: string
  readonly list: Child
  readonly children?: Child
}

export function Shell({ language, texts, principal, csrf, title, here, list, children }: ShellProps) {
  return (
    <Document language={language} title={title}>
      <body hx-headers={JSON.stringify({ "X-CSRF-Token": csrf })} data-csrf={csrf}>
        <a class="skip" href="#main">{texts.skipToContent}</a>
        <header class="top">
          <p class="brand"><a href="/console">{texts.appName}</a> <span>{texts.console}</span></p>
          <p class="who">{principal.name}</p>
          <ul class="top-actions">
            {principal.role === "admin" ? <li><a href="/console/admin/settings">{texts.settings}</a></li> : null}
            <li><a href={`/console/language?to=${texts.languageHref}&back=${encodeURIComponent(here)}`} lang={texts.languageHref}>{texts.language}</a></li>
            <li><button type="button" class="button" data-open-dialog="help" aria-keyshortcuts="?">{texts.help}</button></li>
            <li><button type="button" class="button" data-open-dialog="palette" aria-keyshortcuts="Control+K">{texts.palette}</button></li>
            <li>
              <form method="post" action="/console/logout">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit" class="button">{texts.signOut}</button>
              </form>
            </li>
          </ul>
        </header>
        <div class="panes" hx-ext="sse" sse-connect="/console/events">
          {list}
          <main id="main" tabindex={-1}>{children}</main>
        </div>
        <dialog id="help" aria-labelledby="help-title">
          <h2 id="help-title">{texts.helpTitle}</h2>
          <dl class="shortcuts">{texts.shortcuts.map(([keys, what]) => <><dt><kbd>{keys}</kbd></dt><dd>{what}</dd></>)}</dl>
          <form method="dialog"><button class="button">{texts.close}</button></form>
        </dialog>
        <dialog id="palette" aria-labelledby="palette-title">
          <h2 id="palette-title">{texts.palette}</h2>
          <label for="palette-input" class="visually-hidden">{texts.palette}</label>
          <input id="palette-input" type="text" role="combobox" aria-controls="palette-options" aria-expanded="true" aria-autocomplete="list" placeholder={texts.palettePlaceholder} autocomplete="off" />
          <ul id="palette-options" role="listbox" aria-label={texts.palette}></ul>
          <form method="dialog"><button class="button">{texts.close}</button></form>
        </dialog>
      </body>
    </Document>
  )
}
