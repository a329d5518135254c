/**
 * Placement by conversation key: a stable hash (FNV-1a, 32 bit, over the key's UTF-8 bytes) mod the
 * partition count. Stable across processes, versions and languages, so every instance routes a
 * conversation to the same partition; never change it while a cluster runs.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5
const FNV_PRIME = 0x01000193
const utf8 = new TextEncoder()

/** FNV-1a 32-bit hash of `text`'s UTF-8 bytes, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS
  for (const byte of utf8.encode(text)) {
    hash ^= byte
    hash = Math.imul(hash, FNV_PRIME)
  }
  return hash >>> 0
}

/** The partition (0..partitions-1) that owns the conversation `key`. */
export function partitionOf(key: string, partitions: number): number {
  return fnv1a32(key) % partitions
}
