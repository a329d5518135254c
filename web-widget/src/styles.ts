/**
 * The widget's styles: one constructable stylesheet adopted by each shadow root (no inline
 * `style`, so a strict `style-src` allows it). Themeable through CSS custom properties the site
 * sets on `:root` or on the host element, named in NL Design System token style.
 * Defaults: white on #075e54 (contrast 7.6:1), a 3px focus outline.
 */
export const CSS = `
:host{display:inline-block;font-family:var(--loket-button-font-family,system-ui,sans-serif)}
:host([data-loket-floating]){position:fixed;z-index:var(--loket-widget-z-index,2147483000);inset-block-end:var(--loket-widget-inset-block-end,1.25rem);inset-inline-end:var(--loket-widget-inset-inline-end,1.25rem)}
.b{display:inline-flex;align-items:center;gap:.5em;min-block-size:44px;padding:var(--loket-button-padding-block,.625em) var(--loket-button-padding-inline,1.125em);border:var(--loket-button-border-width,2px) solid var(--loket-button-border-color,transparent);border-radius:var(--loket-button-border-radius,999px);background:var(--loket-button-background-color,#075e54);color:var(--loket-button-color,#fff);font:inherit;font-size:var(--loket-button-font-size,1rem);font-weight:var(--loket-button-font-weight,600);line-height:1.2;text-decoration:none;cursor:pointer;box-shadow:0 2px 8px rgb(0 0 0/.25);transition:background-color .15s}
.b:hover{background:var(--loket-button-hover-background-color,#054640)}
:focus-visible{outline:var(--loket-focus-outline-width,3px) solid var(--loket-focus-outline-color,#1a1a1a);outline-offset:2px;box-shadow:0 0 0 2px #fff}
svg{inline-size:1.25em;block-size:1.25em;fill:currentColor;flex:none}
.n{margin:.375em 0 0;font-size:.875rem;color:var(--loket-note-color,#1a1a1a);background:var(--loket-note-background-color,#fff);padding:.25em .5em;border-radius:4px}
dialog{max-inline-size:min(22rem,calc(100vw - 2rem));padding:1.25rem;border:0;border-radius:var(--loket-dialog-border-radius,8px);background:var(--loket-dialog-background-color,#fff);color:var(--loket-dialog-color,#1a1a1a);font-family:var(--loket-button-font-family,system-ui,sans-serif);box-shadow:0 8px 32px rgb(0 0 0/.35)}
dialog::backdrop{background:rgb(0 0 0/.5)}
h2{margin:0 6.5rem .75rem 0;font-size:1.25rem}
p{margin:0 0 .75rem;line-height:1.4}
img{display:block;inline-size:220px;block-size:220px;margin:0 auto .75rem;background:#fff}
a{color:var(--loket-link-color,#00528a)}
.x{position:absolute;inset-block-start:.75rem;inset-inline-end:.75rem;min-block-size:44px;padding:0 .75em;border:2px solid currentColor;border-radius:6px;background:transparent;color:inherit;font:inherit;cursor:pointer}
dialog[open]{animation:f .15s ease-out}
@keyframes f{from{opacity:0;transform:translateY(.5rem)}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`
