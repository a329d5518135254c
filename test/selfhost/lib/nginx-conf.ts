/**
 * A reader for nginx configuration files (directives `name args…;` and blocks `name args… { … }`,
 * quoted arguments, `#` comments) and the lookups the proxy rules need: which location serves a
 * path and which value of a directive applies there.
 */
export interface Directive {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly block?: ReadonlyArray<Directive>
}

function tokens(text: string): string[] {
  const out: string[] = []
  const pattern = /\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/gy
  let at = 0
  while (at < text.length) {
    pattern.lastIndex = at
    const m = pattern.exec(text)
    if (m === null) throw new Error(`nginx config: cannot read at offset ${at}`)
    const token = m[1] ?? m[2] ?? m[3] ?? m[4]
    if (token !== undefined) out.push(token)
    at = pattern.lastIndex
  }
  return out
}

export function parseNginxConf(text: string): Directive[] {
  const list = tokens(text)
  let at = 0
  const block = (nested: boolean): Directive[] => {
    const directives: Directive[] = []
    while (at < list.length) {
      if (list[at] === "}") {
        if (!nested) throw new Error("nginx config: unexpected }")
        at++
        return directives
      }
      const name = list[at++]!
      const args: string[] = []
      while (at < list.length && list[at] !== ";" && list[at] !== "{" && list[at] !== "}") args.push(list[at++]!)
      if (list[at] === ";") { at++; directives.push({ name, args }) }
      else if (list[at] === "{") { at++; directives.push({ name, args, block: block(true) }) }
      else throw new Error(`nginx config: "${name}" is not closed`)
    }
    if (nested) throw new Error("nginx config: missing }")
    return directives
  }
  return block(false)
}

/** Every directive called `name`, at any depth. */
export function findAll(directives: ReadonlyArray<Directive>, name: string): Directive[] {
  return directives.flatMap((d) => [...(d.name === name ? [d] : []), ...findAll(d.block ?? [], name)])
}

/**
 * The location of `server` that serves `path`: an exact (`=`) match, else the longest prefix.
 * Regular-expression locations are not evaluated (Loket's config has none).
 */
export function locationFor(server: Directive, path: string): Directive | undefined {
  const locations = (server.block ?? []).filter((d) => d.name === "location")
  const exact = locations.find((l) => l.args[0] === "=" && l.args[1] === path)
  if (exact) return exact
  const prefixes = locations
    .map((l) => ({ l, prefix: l.args.length === 1 ? l.args[0]! : l.args[0] === "^~" ? l.args[1]! : undefined }))
    .filter((p): p is { l: Directive; prefix: string } => p.prefix !== undefined && path.startsWith(p.prefix))
  return prefixes.sort((a, b) => b.prefix.length - a.prefix.length)[0]?.l
}

/** Arguments of the directive that applies at `path`: the location's own, else the server's, else the http level's. */
export function effective(http: ReadonlyArray<Directive>, server: Directive, path: string, name: string): ReadonlyArray<string> | undefined {
  const levels = [locationFor(server, path)?.block ?? [], server.block ?? [], http]
  for (const level of levels) {
    const found = level.filter((d) => d.name === name).at(-1)
    if (found) return found.args
  }
  return undefined
}

/** nginx sizes ("5m", "512k", "1g", "0" = unlimited) in bytes. */
export function sizeInBytes(size: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(size)
  if (!m) throw new Error(`not an nginx size: ${size}`)
  if (m[1] === "0") return Number.POSITIVE_INFINITY
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"]
  return Number(m[1]) * unit
}

/** nginx times ("60", "300s", "5m", "1h 30m") in seconds. */
export function timeInSeconds(time: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 }
  const parts = [...time.matchAll(/(\d+)(ms|[smhdwMy]?)\s*/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== time) throw new Error(`not an nginx time: ${time}`)
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2] || "s"]!, 0)
}
