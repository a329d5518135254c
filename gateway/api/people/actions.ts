/**
 * Every admin action of the people routes, one small function each, with who does it (`by`):
 * the one place to record it in the audit log (Audit.record, at merge).
 */
import { ApiTokens, type NewToken } from "../../../actors/people/ApiTokens.ts"
import { type AgentChanges, type NewAgent, People, type TeamChanges } from "../../../actors/people/People.ts"
import type { Principal } from "../../../actors/people/Principal.ts"

export const createToken = (_by: Principal, input: NewToken) => ApiTokens.use((t) => t.create(input))
export const revokeToken = (_by: Principal, id: string) => ApiTokens.use((t) => t.revoke(id))
export const createAgent = (_by: Principal, input: NewAgent) => People.use((p) => p.createAgent(input))
export const updateAgent = (_by: Principal, id: string, changes: AgentChanges) => People.use((p) => p.updateAgent(id, changes))
export const deactivateAgent = (_by: Principal, id: string) => People.use((p) => p.deactivateAgent(id))
export const createTeam = (_by: Principal, input: { readonly name: string }) => People.use((p) => p.createTeam(input))
export const updateTeam = (_by: Principal, id: string, changes: TeamChanges) => People.use((p) => p.updateTeam(id, changes))
export const deleteTeam = (_by: Principal, id: string) => People.use((p) => p.deleteTeam(id))

/** Reads (not audited). */
export const listTokens = ApiTokens.use((t) => t.list())
export const listAgents = People.use((p) => p.listAgents())
export const getAgent = (id: string) => People.use((p) => p.getAgent(id))
export const listTeams = People.use((p) => p.listTeams())

