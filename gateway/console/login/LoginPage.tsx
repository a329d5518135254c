/** `GET /console/login`: e-mail and password (and the municipality's OpenID Connect provider when one is set). */
import { Document } from "../pages/Document.tsx"
import type { ConsoleLanguage, ConsoleTexts } from "../texts.ts"

export interface LoginPageProps {
  readonly language: ConsoleLanguage
  readonly texts: ConsoleTexts
  readonly csrf: string
  readonly next: string
  readonly email?: string
  readonly error?: string
  readonly notice?: string
  /** The OpenID Connect provider's name, when one is configured. */
  readonly oidcLabel?: string | undefined
}

export function LoginPage({ language, texts, csrf, next, email, error, notice, oidcLabel }: LoginPageProps) {
  return (
    <Document language={language} title={texts.signInTitle} scripts={false}>
      <body class="login">
        <main id="main" class="login-card">
          <h1>{texts.signInTitle}</h1>
          {notice ? <p class="notice" role="status">{notice}</p> : null}
          {error ? <p class="alert" role="alert" id="login-error">{error}</p> : null}
          <form method="post" action="/console/login" novalidate>
            <input type="hidden" name="_csrf" value={csrf} />
            <input type="hidden" name="next" value={next} />
            <p class="field">
              <label for="email">{texts.email}</label>
              <input id="email" name="email" type="email" autocomplete="username" required maxlength={320} value={email ?? ""}
                aria-describedby={error ? "login-error" : undefined} autofocus />
            </p>
            <p class="field">
              <label for="password">{texts.password}</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required maxlength={1024} />
            </p>
            <button type="submit" class="button primary">{texts.signInButton}</button>
          </form>
          {oidcLabel !== undefined ? (
            <p class="oidc"><a class="button" href={`/console/login/oidc?next=${encodeURIComponent(next)}`}>{texts.signInWith(oidcLabel)}</a></p>
          ) : null}
          <p><a href={`/console/login?lang=${texts.languageHref}`} lang={texts.languageHref}>{texts.language}</a></p>
        </main>
      </body>
    </Document>
  )
}
