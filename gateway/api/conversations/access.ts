/**
 * Who sees which conversation. With the `access` setting `"all"` (the default) every caller sees
 * every conversation. With `"team"`, an agent-role caller sees the conversations without a team,
 * those of its teams, and those assigned to itself; admins and admin tokens still see all. An
 * agent-role token without an agent has no teams: it sees only the conversations without a team.
 * A conversation the caller may not see answers 404, as if it did not exist.
 */
import { Effect } from "effect"
import { Settings } from "../../../actors/settings/Settings.ts"
import type { Principal } from "../../../actors/people/Principal.ts"
import type { AppRuntime } from "../../Runtime.ts"

/** What a caller may see: everything, or conversations of these teams (plus those without a team, and its own). */
export type Visibility =
  | { readonly all: true }
  | { readonly all: false; readonly teams: ReadonlyArray<string>; readonly agentId: string | null }

export const visibilityOf = async (runtime: AppRuntime, principal: Principal): Promise<Visibility> => {
  if (principal.role === "admin") return { all: true }
  const access = await runtime.runPromise(Settings.use((s) => s.current).pipe(Effect.map((d) => d.access)))
  return access === "team" ? { all: false, teams: principal.teams, agentId: principal.agentId } : { all: true }
}

export const canSee = (visibility: Visibility, conversation: { readonly team: string | null; readonly assignee: string | null }): boolean =>
  visibility.all || conversation.team === null || visibility.teams.includes(conversation.team) ||
  (visibility.agentId !== null && conversation.assignee === visibility.agentId)
