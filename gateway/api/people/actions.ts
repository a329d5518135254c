/**
 * Every admin action of the people routes, one small function each, with who does it (`by`),
 * each recorded in the audit log once it succeeded: the record after (never a token's secret
 * or a password hash — the views hold neither) and, for changes, the record before.
 */
import { Effect } from "effect"
import { Audit } from "../../../actors/audit/Audit.ts"
import { ApiTokens, type NewToken } from "../../../actors/people/ApiTokens.ts"
import { type AgentChanges, type NewAgent, People, type TeamChanges } from "../../../actors/people/People.ts"
import type { Principal } from "../../../actors/people/Principal.ts"
import { Database } from "../../../drizzle/Database.ts"
import { auditActorOf } from "../audit-actor.ts"

/** Writes the audit entry of a change that succeeded, durably. */
const audited = (by: Principal, action: string, target: string, before: unknown, after: unknown) =>
  Effect.gen(function*() {
    const audit = yield* Audit
    const database = yield* Database
    yield* database.transaction(audit.record({ actor: auditActorOf(by), action, target, before, after }))
    yield* database.committed()
  })

const teamOf = (id: string) => People.use((p) => p.listTeams()).pipe(Effect.map((teams) => teams.find((t) => t.id === id) ?? null))

export const createToken = (by: Principal, input: NewToken) =>
  ApiTokens.use((t) => t.create(input)).pipe(
    Effect.tap(({ token: _secret, ...view }) => audited(by, "token.create", `token:${view.id}`, null, view))
  )
export const revokeToken = (by: Principal, id: string) =>
  ApiTokens.use((t) => t.revoke(id)).pipe(Effect.tap((view) => audited(by, "token.revoke", `token:${id}`, null, view)))
export const createAgent = (by: Principal, input: NewAgent) =>
  People.use((p) => p.createAgent(input)).pipe(Effect.tap((agent) => audited(by, "agent.create", `agent:${agent.id}`, null, agent)))
export const updateAgent = (by: Principal, id: string, changes: AgentChanges) =>
  Effect.gen(function*() {
    const before = yield* People.use((p) => p.getAgent(id))
    const after = yield* People.use((p) => p.updateAgent(id, changes))
    yield* audited(by, "agent.update", `agent:${id}`, before, after)
    return after
  })
export const deactivateAgent = (by: Principal, id: string) =>
  Effect.gen(function*() {
    const before = yield* People.use((p) => p.getAgent(id))
    const after = yield* People.use((p) => p.deactivateAgent(id))
    yield* audited(by, "agent.deactivate", `agent:${id}`, before, after)
    return after
  })
export const createTeam = (by: Principal, input: { readonly name: string }) =>
  People.use((p) => p.createTeam(input)).pipe(Effect.tap((team) => audited(by, "team.create", `team:${team.id}`, null, team)))
export const updateTeam = (by: Principal, id: string, changes: TeamChanges) =>
  Effect.gen(function*() {
    const before = yield* teamOf(id)
    const after = yield* People.use((p) => p.updateTeam(id, changes))
    yield* audited(by, "team.update", `team:${id}`, before, after)
    return after
  })
export const deleteTeam = (by: Principal, id: string) =>
  Effect.gen(function*() {
    const before = yield* teamOf(id)
    yield* People.use((p) => p.deleteTeam(id))
    yield* audited(by, "team.delete", `team:${id}`, before, null)
  })

/** Reads (not audited). */
export const listTokens = ApiTokens.use((t) => t.list())
export const listAgents = People.use((p) => p.listAgents())
export const getAgent = (id: string) => People.use((p) => p.getAgent(id))
export const listTeams = People.use((p) => p.listTeams())
