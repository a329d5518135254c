/** Reads the `.cpuprofile` files node's `--cpu-prof` wrote into a directory and prints self time by package/file and by function. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** The project folder (a worktree's too), as profile URLs spell it. */
const ROOT = new URL("../../", import.meta.url).pathname

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: Array<number> }

/**
 * A frame in an esbuild bundle (not minified: each module starts with a `// path/to/file.ts` line) is
 * renamed to its module's file, with the line counted from the module's start (close to the source's).
 */
function bundleModules(): (url: string, line: number) => { url: string; line: number } {
  const cache = new Map<string, Array<{ line: number; file: string }>>()
  return (url, line) => {
    if (!url.endsWith(".mjs") || url.includes("node_modules/")) return { url, line }
    let modules = cache.get(url)
    if (modules === undefined) {
      modules = []
      try {
        readFileSync(url.replace(/^file:\/\//, ""), "utf8").split("\n").forEach((text, i) => {
          const m = /^\/\/ ([\w./-]+\.tsx?)$/.exec(text)
          if (m !== null && !m[1]!.startsWith("node_modules/")) modules!.push({ line: i, file: m[1]! })
        })
      } catch {
        // not readable: leave the frame as it is
      }
      cache.set(url, modules)
    }
    let found: { line: number; file: string } | undefined
    for (const m of modules) {
      if (m.line > line) break
      found = m
    }
    return found === undefined ? { url, line } : { url: `file://${ROOT}${found.file}`, line: line - found.line }
  }
}

export function summarizeProfiles(dir: string, top = 30): Array<string> {
  const out: Array<string> = []
  const inBundle = bundleModules()
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: Array<Node>; samples: Array<number>; timeDeltas: Array<number> }
    for (const n of profile.nodes) {
      const mapped = inBundle(n.callFrame.url, n.callFrame.lineNumber)
      n.callFrame = { ...n.callFrame, url: mapped.url, lineNumber: mapped.line }
    }
    const byId = new Map(profile.nodes.map((n) => [n.id, n]))
    const self = new Map<number, number>()
    let idle = 0
    profile.samples.forEach((id, i) => {
      if (byId.get(id)!.callFrame.functionName === "(idle)") idle += profile.timeDeltas[i] ?? 0
      else self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
    })
    const total = [...self.values()].reduce((a, b) => a + b, 0)
    if (total < 3e5) continue // the loader thread's profile: next to nothing
    const fn = new Map<string, number>()
    const files = new Map<string, number>()
    for (const [id, us] of self) {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame
      const short = url.replace(/^file:\/\//, "").replace(ROOT, "")
      const where = short.includes("node_modules/") ? short.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1") : short || "(native)"
      const key = `${functionName || "(anonymous)"}  ${short}:${lineNumber + 1}`
      fn.set(key, (fn.get(key) ?? 0) + us)
      files.set(where, (files.get(where) ?? 0) + us)
    }
    // Library and native time charged to the nearest of the project's own functions below it on the stack,
    // and inclusive time of the project's functions (each counted once per sample).
    const parent = new Map<number, number>()
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const own = (id: number) => {
      const url = byId.get(id)!.callFrame.url
      return url.includes(ROOT) && !url.includes("node_modules/")
    }
    const label = (id: number) => {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame
      return `${functionName || "(anonymous)"}  ${url.replace(/^file:\/\//, "").replace(ROOT, "")}:${lineNumber + 1}`
    }
    const nearest = new Map<string, number>()
    const inclusive = new Map<string, number>()
    for (const [id, us] of self) {
      let at: number | undefined = id
      let first: string | undefined
      const seen = new Set<string>()
      while (at !== undefined) {
        if (own(at)) {
          const l = label(at)
          first ??= l
          if (!seen.has(l)) {
            seen.add(l)
            inclusive.set(l, (inclusive.get(l) ?? 0) + us)
          }
        }
        at = parent.get(at)
      }
      const k = first ?? `(no project frame) ${byId.get(id)!.callFrame.functionName || "(anonymous)"}`
      nearest.set(k, (nearest.get(k) ?? 0) + us)
    }
    const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`
    out.push(`${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle (percentages: of busy time)`)
    out.push("self time by package / file:")
    for (const [k, v] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`  ${pct(v)}  ${k}`)
    out.push("self time by function:")
    for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${k}`)
    out.push("self time charged to the nearest project function on the stack:")
    for (const [k, v] of [...nearest].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${k}`)
    out.push("inclusive time of project functions:")
    for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${k}`)
  }
  return out
}

interface HeapNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Array<HeapNode> }

/**
 * A sampling heap profile (HeapProfiler.stopSampling's `profile`, garbage included): bytes allocated by
 * package/file, by function, and charged to the nearest project function on the stack.
 */
export function summarizeHeapProfile(file: string, top = 30): Array<string> {
  const { head } = JSON.parse(readFileSync(file, "utf8")) as { head: HeapNode }
  const locate = bundleModules()
  const byFile = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const byProject = new Map<string, number>()
  let total = 0
  const shortOf = (url: string) => url.replace(/^file:\/\//, "").replace(ROOT, "").replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, "$1") || "(native)"
  const walk = (node: HeapNode, project: string | undefined) => {
    const at = locate(node.callFrame.url, node.callFrame.lineNumber)
    const path = at.url.replace(/^file:\/\//, "").replace(ROOT, "")
    const name = `${node.callFrame.functionName || "(anonymous)"}  ${path.replace(/^.*node_modules\//, "")}:${at.line + 1}`
    const mine = at.url.startsWith(`file://${ROOT}`) && !path.startsWith("node_modules/") && !path.startsWith("test/") ? name : project
    if (node.selfSize > 0) {
      total += node.selfSize
      byFile.set(shortOf(at.url), (byFile.get(shortOf(at.url)) ?? 0) + node.selfSize)
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize)
      const k = mine ?? `(no project frame) ${node.callFrame.functionName || "(anonymous)"}`
      byProject.set(k, (byProject.get(k) ?? 0) + node.selfSize)
    }
    for (const child of node.children) walk(child, mine)
  }
  walk(head, undefined)
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(6)} %  ${(v / 1048576).toFixed(1).padStart(7)} MiB  ${k}`)
  return [
    `${(total / 1048576).toFixed(0)} MiB allocated (sampled)`,
    "by package / file:", ...list(byFile),
    "by function:", ...list(byFunction),
    "charged to the nearest project function on the stack:", ...list(byProject)
  ]
}
