/**
 * The people of the klantcontactcentrum: agents (e-mail, name, role, optional console password)
 * and vakteams. Deactivating an agent revokes its tokens in the same transaction; the token
 * look-up (ApiTokens.verify) also refuses tokens of inactive agents, so they end at once.
 * E-mail addresses are compared lower-cased (stored so); team names exactly.
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm"
import { Context, Effect, Layer } from "effect"
import { newId } from "../../domain/ids.ts"
import { nowIso } from "../../domain/time.ts"
import { Database, type DatabaseShape, DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { AgentRow } from "../../drizzle/schema.ts"
import { PeopleConflict, PeopleInvalid, PeopleNotFound } from "./errors.ts"
import { hashPassword } from "./password.ts"
import type { Role } from "./Principal.ts"
import { TokenRevocations } from "./TokenRevocations.ts"

export interface Agent {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: Role
  readonly teams: ReadonlyArray<string>
  readonly active: boolean
  /** Whether the agent can sign in to the console with a password (the hash is never shown). */
  readonly hasPassword: boolean
  readonly createdAt: string
  readonly deactivatedAt: string | null
}

export interface Team {
  readonly id: string
  readonly name: string
  readonly members: ReadonlyArray<string>
}

export interface NewAgent {
  readonly email: string
  readonly name: string
  readonly role: Role
  readonly teams?: ReadonlyArray<string> | undefined
  readonly password?: string | undefined
}

export interface AgentChanges {
  readonly email?: string | undefined
  readonly name?: string | undefined
  readonly role?: Role | undefined
  readonly teams?: ReadonlyArray<string> | undefined
  readonly password?: string | null | undefined
}

export interface TeamChanges {
  readonly name?: string | undefined
  readonly members?: ReadonlyArray<string> | undefined
}

type Failure = PeopleInvalid | PeopleNotFound | PeopleConflict | DatabaseUnavailable

export class People extends Context.Service<People, {
  readonly createAgent: (input: NewAgent) => Effect.Effect<Agent, Failure>
  readonly listAgents: () => Effect.Effect<ReadonlyArray<Agent>, DatabaseUnavailable>
  readonly getAgent: (id: string) => Effect.Effect<Agent, PeopleNotFound | DatabaseUnavailable>
  readonly updateAgent: (id: string, changes: AgentChanges) => Effect.Effect<Agent, Failure>
  /** Deactivates (the row stays, for history): its tokens are revoked at once. */
  readonly deactivateAgent: (id: string) => Effect.Effect<Agent, PeopleNotFound | DatabaseUnavailable>
  /** An agent's password hash by e-mail, for the console's sign-in (active agents only). */
  readonly credentialsByEmail: (email: string) => Effect.Effect<{ readonly agentId: string; readonly passwordHash: string | null } | undefined, DatabaseUnavailable>
  readonly createTeam: (input: { readonly name: string }) => Effect.Effect<Team, PeopleConflict | DatabaseUnavailable>
  readonly listTeams: () => Effect.Effect<ReadonlyArray<Team>, DatabaseUnavailable>
  readonly updateTeam: (id: string, changes: TeamChanges) => Effect.Effect<Team, Failure>
  readonly deleteTeam: (id: string) => Effect.Effect<void, PeopleNotFound | DatabaseUnavailable>
}>()("loket/actors/People") {
  static readonly layer = Layer.effect(People, Effect.map(Effect.all([Effect.service(Database), Effect.service(TokenRevocations)]), ([database, revocations]) => makePeople(database, revocations)))
}

const normalizeEmail = (email: string) => email.trim().toLowerCase()

const EMAIL_TAKEN = () => new PeopleConflict({ code: "email_taken", message: "An agent with this e-mail address exists (addresses are compared case-insensitively)." })
const NAME_TAKEN = (name: string) => new PeopleConflict({ code: "team_name_taken", message: `A team named "${name}" exists; pick another name.` })

/**
 * Two requests racing past the checks below meet the unique index instead: SQLite says
 * `UNIQUE constraint failed: agents.email`, PostgreSQL names the constraint. That is a 409, not a 503.
 */
const uniqueViolation = (error: DatabaseUnavailable, teamName?: string): PeopleConflict | DatabaseUnavailable => {
  const broken = error.constraint ?? error.message
  return /agents_email_unique|UNIQUE constraint failed: agents\.email/.test(broken) ? EMAIL_TAKEN()
    : /teams_name_unique|UNIQUE constraint failed: teams\.name/.test(broken) ? NAME_TAKEN(teamName ?? "")
    : error
}

function makePeople(database: DatabaseShape, revocations: TokenRevocations["Service"]): People["Service"] {
  const write = <A, E>(effect: Effect.Effect<A, E>) =>
    database.transaction(effect).pipe(Effect.tap(() => database.committed()))
  /** A write that may meet the e-mail or team-name unique index. */
  const writeUnique = <A, E>(effect: Effect.Effect<A, E>, teamName?: string) =>
    write(effect).pipe(Effect.mapError((error) => (error instanceof DatabaseUnavailable ? uniqueViolation(error, teamName) : error)))

  const teamsOfAgents = Effect.fn("People.teamsOfAgents")(function*(agentIds: ReadonlyArray<string>) {
    const rows = agentIds.length === 0 ? [] : yield* database.all((db, t) => db.select().from(t.teamMembers).where(inArray(t.teamMembers.agentId, [...agentIds])))
    const out = new Map<string, Array<string>>()
    for (const row of rows) out.set(row.agentId, [...(out.get(row.agentId) ?? []), row.teamId])
    return out
  })

  const toAgent = (row: AgentRow, teams: ReadonlyArray<string>): Agent => ({
    id: row.id, email: row.email, name: row.name, role: row.role, teams: [...teams].sort(), active: row.active === 1,
    hasPassword: row.passwordHash !== null, createdAt: row.createdAt, deactivatedAt: row.deactivatedAt
  })

  const getAgent = Effect.fn("People.getAgent")(function*(id: string) {
    const row = yield* database.one((db, t) => db.select().from(t.agents).where(eq(t.agents.id, id)))
    if (row === undefined) return yield* new PeopleNotFound({ what: "agent", id })
    return toAgent(row, (yield* teamsOfAgents([id])).get(id) ?? [])
  })

  /** Every id in `teamIds` must name a team; details name `path.<index>`. */
  const checkTeams = Effect.fn("People.checkTeams")(function*(teamIds: ReadonlyArray<string>, path: string) {
    if (teamIds.length === 0) return
    const found = new Set((yield* database.all((db, t) => db.select({ id: t.teams.id }).from(t.teams).where(inArray(t.teams.id, [...teamIds])))).map((r) => r.id))
    const details = teamIds.flatMap((id, i) => (found.has(id) ? [] : [{ path: `${path}.${i}`, message: `no team ${id}; see GET /api/v1/teams` }]))
    if (details.length > 0) return yield* new PeopleInvalid({ message: "Unknown team id.", details })
  })

  const checkAgents = Effect.fn("People.checkAgents")(function*(agentIds: ReadonlyArray<string>, path: string) {
    if (agentIds.length === 0) return
    const found = new Set((yield* database.all((db, t) => db.select({ id: t.agents.id }).from(t.agents).where(and(inArray(t.agents.id, [...agentIds]), eq(t.agents.active, 1))))).map((r) => r.id))
    const details = agentIds.flatMap((id, i) => (found.has(id) ? [] : [{ path: `${path}.${i}`, message: `no active agent ${id}; see GET /api/v1/agents` }]))
    if (details.length > 0) return yield* new PeopleInvalid({ message: "Unknown agent id.", details })
  })

  const emailFree = Effect.fn("People.emailFree")(function*(email: string, except?: string) {
    const row = yield* database.one((db, t) => db.select({ id: t.agents.id }).from(t.agents).where(eq(t.agents.email, email)))
    if (row !== undefined && row.id !== except) return yield* EMAIL_TAKEN()
  })

  const setAgentTeams = (agentId: string, teamIds: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      yield* database.run((db, t) => db.delete(t.teamMembers).where(eq(t.teamMembers.agentId, agentId)))
      const unique = [...new Set(teamIds)]
      if (unique.length > 0) yield* database.run((db, t) => db.insert(t.teamMembers).values(unique.map((teamId) => ({ teamId, agentId }))))
    })

  const createAgent = Effect.fn("People.createAgent")(function*(input: NewAgent) {
    const email = normalizeEmail(input.email)
    const teams = input.teams ?? []
    yield* checkTeams(teams, "teams")
    yield* emailFree(email)
    const passwordHash = input.password === undefined ? null : yield* hashPassword(input.password)
    const id = newId("agt")
    const createdAt = yield* nowIso
    yield* writeUnique(Effect.gen(function*() {
      yield* database.run((db, t) => db.insert(t.agents).values({ id, email, name: input.name, role: input.role, passwordHash, active: 1, createdAt, deactivatedAt: null }))
      yield* setAgentTeams(id, teams)
    }))
    return yield* getAgent(id)
  })

  const listAgents = Effect.fn("People.listAgents")(function*() {
    const rows = yield* database.all((db, t) => db.select().from(t.agents).orderBy(asc(t.agents.name), asc(t.agents.id)))
    const teams = yield* teamsOfAgents(rows.map((r) => r.id))
    return rows.map((row) => toAgent(row, teams.get(row.id) ?? []))
  })

  const updateAgent = Effect.fn("People.updateAgent")(function*(id: string, changes: AgentChanges) {
    yield* getAgent(id)
    const email = changes.email === undefined ? undefined : normalizeEmail(changes.email)
    if (email !== undefined) yield* emailFree(email, id)
    if (changes.teams !== undefined) yield* checkTeams(changes.teams, "teams")
    const passwordHash = changes.password === undefined ? undefined : changes.password === null ? null : yield* hashPassword(changes.password)
    const set = {
      ...(email === undefined ? {} : { email }),
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.role === undefined ? {} : { role: changes.role }),
      ...(passwordHash === undefined ? {} : { passwordHash })
    }
    yield* writeUnique(Effect.gen(function*() {
      if (Object.keys(set).length > 0) yield* database.run((db, t) => db.update(t.agents).set(set).where(eq(t.agents.id, id)))
      if (changes.teams !== undefined) yield* setAgentTeams(id, changes.teams)
    }))
    return yield* getAgent(id)
  })

  const deactivateAgent = Effect.fn("People.deactivateAgent")(function*(id: string) {
    const agent = yield* getAgent(id)
    if (!agent.active) return agent
    const now = yield* nowIso
    const tokens = yield* database.all((db, t) => db.select({ id: t.apiTokens.id }).from(t.apiTokens).where(and(eq(t.apiTokens.agentId, id), isNull(t.apiTokens.revokedAt))))
    const sessions = yield* database.all((db, t) => db.select({ id: t.consoleSessions.id }).from(t.consoleSessions).where(and(eq(t.consoleSessions.agentId, id), isNull(t.consoleSessions.endedAt))))
    yield* write(Effect.gen(function*() {
      yield* database.run((db, t) => db.update(t.agents).set({ active: 0, deactivatedAt: now }).where(eq(t.agents.id, id)))
      yield* database.run((db, t) => db.update(t.apiTokens).set({ revokedAt: now }).where(and(eq(t.apiTokens.agentId, id), isNull(t.apiTokens.revokedAt))))
      // Console sessions end with it (actors/console/ConsoleSessions.ts also refuses an inactive agent's).
      yield* database.run((db, t) => db.update(t.consoleSessions).set({ endedAt: now }).where(and(eq(t.consoleSessions.agentId, id), isNull(t.consoleSessions.endedAt))))
    }))
    // Open SSE streams of its tokens and console sessions end; a token made between the select and
    // the update is refused anyway (its agent is inactive) and its stream ends at its next re-check.
    yield* revocations.announce([...tokens.map((t) => t.id), ...sessions.map((s) => s.id)])
    return yield* getAgent(id)
  })

  const credentialsByEmail = Effect.fn("People.credentialsByEmail")(function*(email: string) {
    const row = yield* database.one((db, t) => db.select({ agentId: t.agents.id, passwordHash: t.agents.passwordHash }).from(t.agents)
      .where(and(eq(t.agents.email, normalizeEmail(email)), eq(t.agents.active, 1))))
    return row
  })

  const membersOf = Effect.fn("People.membersOf")(function*(teamIds: ReadonlyArray<string>) {
    const rows = teamIds.length === 0 ? [] : yield* database.all((db, t) => db.select().from(t.teamMembers).where(inArray(t.teamMembers.teamId, [...teamIds])))
    const out = new Map<string, Array<string>>()
    for (const row of rows) out.set(row.teamId, [...(out.get(row.teamId) ?? []), row.agentId])
    return out
  })

  const getTeam = Effect.fn("People.getTeam")(function*(id: string) {
    const row = yield* database.one((db, t) => db.select().from(t.teams).where(eq(t.teams.id, id)))
    if (row === undefined) return yield* new PeopleNotFound({ what: "team", id })
    return { id: row.id, name: row.name, members: [...((yield* membersOf([id])).get(id) ?? [])].sort() } satisfies Team
  })

  const nameFree = Effect.fn("People.teamNameFree")(function*(name: string, except?: string) {
    const row = yield* database.one((db, t) => db.select({ id: t.teams.id }).from(t.teams).where(eq(t.teams.name, name)))
    if (row !== undefined && row.id !== except) return yield* NAME_TAKEN(name)
  })

  const createTeam = Effect.fn("People.createTeam")(function*(input: { readonly name: string }) {
    yield* nameFree(input.name)
    const id = newId("team")
    const createdAt = yield* nowIso
    yield* writeUnique(database.run((db, t) => db.insert(t.teams).values({ id, name: input.name, createdAt })), input.name)
    return { id, name: input.name, members: [] } satisfies Team
  })

  const listTeams = Effect.fn("People.listTeams")(function*() {
    const rows = yield* database.all((db, t) => db.select().from(t.teams).orderBy(asc(t.teams.name)))
    const members = yield* membersOf(rows.map((r) => r.id))
    return rows.map((row) => ({ id: row.id, name: row.name, members: [...(members.get(row.id) ?? [])].sort() }) satisfies Team)
  })

  const updateTeam = Effect.fn("People.updateTeam")(function*(id: string, changes: TeamChanges) {
    yield* getTeam(id)
    if (changes.name !== undefined) yield* nameFree(changes.name, id)
    if (changes.members !== undefined) yield* checkAgents(changes.members, "members")
    yield* writeUnique(Effect.gen(function*() {
      if (changes.name !== undefined) yield* database.run((db, t) => db.update(t.teams).set({ name: changes.name! }).where(eq(t.teams.id, id)))
      if (changes.members !== undefined) {
        yield* database.run((db, t) => db.delete(t.teamMembers).where(eq(t.teamMembers.teamId, id)))
        const unique = [...new Set(changes.members)]
        if (unique.length > 0) yield* database.run((db, t) => db.insert(t.teamMembers).values(unique.map((agentId) => ({ teamId: id, agentId }))))
      }
    }), changes.name)
    return yield* getTeam(id)
  })

  const deleteTeam = Effect.fn("People.deleteTeam")(function*(id: string) {
    yield* getTeam(id)
    yield* write(Effect.gen(function*() {
      yield* database.run((db, t) => db.delete(t.teamMembers).where(eq(t.teamMembers.teamId, id)))
      yield* database.run((db, t) => db.delete(t.teams).where(eq(t.teams.id, id)))
    }))
  })

  return People.of({ createAgent, listAgents, getAgent, updateAgent, deactivateAgent, credentialsByEmail, createTeam, listTeams, updateTeam, deleteTeam })
}

