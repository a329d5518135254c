/** ./graph-timed.ts's stand-in in a process of its own (started by startTimedGraphChild; answers over IPC). */
import { epoch, startTimedGraph } from "./graph-timed.ts"

const graph = await startTimedGraph({
  accessToken: process.env.ACCESS_TOKEN ?? "",
  latencyMs: Number(process.env.LATENCY_MS ?? 5),
  capacity: Number(process.env.CAPACITY ?? 0)
})
const toEpoch = (xs: ArrayLike<number>) => Array.from(xs, (t) => (Number.isNaN(t) ? Number.NaN : epoch(t)))
process.on("message", (m: { id: number; what: string }) => {
  const value = m.what === "distinct"
    ? graph.distinct()
    : m.what === "report"
    ? {
      arrivedAt: toEpoch(graph.arrivedAt),
      acceptedAt: toEpoch(graph.acceptedAt),
      arrivals: toEpoch(graph.arrivals),
      duplicates: graph.duplicates(),
      unmarked: graph.unmarked(),
      refused: graph.refused(),
      problems: [...graph.problems]
    }
    : undefined
  process.send!({ id: m.id, value })
})
process.on("disconnect", () => process.exit(0))
process.send!({ id: -1, value: graph.url })
