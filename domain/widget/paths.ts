/**
 * Path patterns of the widget's rollout (`paths.include`, `paths.exclude`, per-page texts):
 * `*` matches within one path segment, `**` across segments (`/afval/**` also matches `/afval`),
 * `?` one character. Query strings and fragments are not part of the path.
 */

const cache = new Map<string, RegExp>()

function compile(pattern: string): RegExp {
  let source = ""
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === "*" && pattern[i + 1] === "*") {
      const slashBefore = source.endsWith("/")
      const atEnd = i + 2 === pattern.length
      if (slashBefore && atEnd) source = `${source.slice(0, -1)}(?:/.*)?`
      else if (pattern[i + 2] === "/") {
        source += "(?:.*/)?"
        i++
      } else source += ".*"
      i++
    } else if (char === "*") source += "[^/]*"
    else if (char === "?") source += "[^/]"
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&")
  }
  return new RegExp(`^${source}$`)
}

export function matchesPath(pattern: string, path: string): boolean {
  let regex = cache.get(pattern)
  if (regex === undefined) {
    regex = compile(pattern)
    if (cache.size < 1_000) cache.set(pattern, regex)
  }
  return regex.test(path)
}

/** Whether a page is in the rollout: on an include pattern and on no exclude pattern. */
export function pathInRollout(paths: { readonly include: ReadonlyArray<string>; readonly exclude: ReadonlyArray<string> }, path: string): boolean {
  return paths.include.some((p) => matchesPath(p, path)) && !paths.exclude.some((p) => matchesPath(p, path))
}
