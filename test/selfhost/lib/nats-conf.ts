/**
 * A reader for the part of the NATS server configuration format that Loket's node files use:
 * `key: value`, `key = value` or `key value`; `{ … }` maps; `[ … ]` arrays (items separated by
 * commas or white space); quoted or bare strings; `#` and `//` comments. Keys are lower-cased,
 * as nats-server reads them. `include` is kept as a plain key (not followed): each node's file is
 * meant to be complete on its own.
 */
export type NatsValue = string | NatsValue[] | NatsMap
export interface NatsMap { readonly [key: string]: NatsValue }

export function parseNatsConf(text: string): NatsMap {
  let at = 0
  const fail = (what: string): never => { throw new Error(`NATS config: ${what} at offset ${at}`) }

  /** Skips blanks and comments; with `lines`, newlines too. */
  const skip = (lines: boolean) => {
    for (;;) {
      const c = text[at]
      if (c === " " || c === "\t" || c === "\r" || (lines && (c === "\n" || c === "," || c === ";"))) at++
      else if (c === "#" || (c === "/" && text[at + 1] === "/")) while (at < text.length && text[at] !== "\n") at++
      else return
    }
  }

  const quoted = (): string => {
    const quote = text[at++]!
    const end = text.indexOf(quote, at)
    if (end < 0) fail("unterminated string")
    const value = text.slice(at, end)
    at = end + 1
    return value
  }

  const bare = (stops: RegExp): string => {
    const start = at
    while (at < text.length && !stops.test(text[at]!)) at++
    return text.slice(start, at).trim()
  }

  const value = (inArray: boolean): NatsValue => {
    const c = text[at]
    if (c === "{") { at++; return map("}") }
    if (c === "[") { at++; return array() }
    if (c === "\"" || c === "'") return quoted()
    return bare(inArray ? /[\s,\]]/ : /[\n,;}#]/)
  }

  const array = (): NatsValue[] => {
    const items: NatsValue[] = []
    for (;;) {
      skip(true)
      if (at >= text.length) fail("unterminated array")
      if (text[at] === "]") { at++; return items }
      items.push(value(true))
    }
  }

  const map = (close: string | undefined): NatsMap => {
    const entries: Record<string, NatsValue> = {}
    for (;;) {
      skip(true)
      if (at >= text.length) return close === undefined ? entries : fail(`missing "${close}"`)
      if (text[at] === close) { at++; return entries }
      const key = (text[at] === "\"" || text[at] === "'" ? quoted() : bare(/[\s:={]/)).toLowerCase()
      if (key === "") fail("expected a key")
      skip(false)
      if (text[at] === ":" || text[at] === "=") at++
      skip(false)
      entries[key] = value(false)
    }
  }

  return map(undefined)
}

/** `config.jetstream.store_dir` as `get(config, "jetstream", "store_dir")`; undefined when absent. */
export function get(config: NatsValue | undefined, ...path: string[]): NatsValue | undefined {
  let node = config
  for (const key of path) {
    if (node === undefined || typeof node === "string" || Array.isArray(node)) return undefined
    node = node[key]
  }
  return node
}
