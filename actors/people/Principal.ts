/**
 * Who is calling the agent API, as every handler sees it (auth middleware sets it). Other
 * features read it to audit actions (`kind`, `id`, `name`, `tokenId`) and to filter
 * conversations by team (`teams`).
 */
export type Role = "admin" | "agent"

export interface Principal {
  /** `agent`: a token that belongs to an agent acts as that agent; `token`: a token of its own (e.g. LOKET_ADMIN_TOKEN). */
  readonly kind: "token" | "agent"
  /** The agent's id for `agent`, the token's id for `token`. */
  readonly id: string
  readonly name: string
  /** What the caller may do: the token's role, never more than its agent's. */
  readonly role: Role
  /** Team ids of the agent (`[]` for a token of its own). */
  readonly teams: ReadonlyArray<string>
  readonly agentId: string | null
  /** The token this request came with. */
  readonly tokenId: string
}

/** The lesser of two roles. */
export const lesserRole = (a: Role, b: Role): Role => (a === "admin" && b === "admin" ? "admin" : "agent")
