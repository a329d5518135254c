/** Opaque pagination cursors: base64url of a small JSON tuple. */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url")
}

/** The tuple, or undefined when the cursor is not one of ours. */
export function decodeCursor<T extends ReadonlyArray<"string" | "number">>(cursor: string, shape: T): Array<string | number> | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    if (!Array.isArray(parts) || parts.length !== shape.length) return undefined
    return parts.every((part, i) => typeof part === shape[i]) ? parts : undefined
  } catch {
    return undefined
  }
}
