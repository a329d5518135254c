/**
 * Working a conversation: assign it (to a vakteam and/or an agent), close, reopen, and internal
 * notes. Each change goes through the conversation's actor, is written in one transaction with
 * its audit entry, then published (`conversation.updated` plus `conversation.assigned` or
 * `note.created`). Asking for what already holds (the same assignment, closing a closed one)
 * changes nothing and answers the conversation as it is.
 */
import { and, eq, inArray } from "drizzle-orm"
import { Deferred, Effect, Schema } from "effect"
import { AuditActor } from "../audit/Audit.ts"
import type { Conversation } from "../../domain/Conversation.ts"
import { WorkRefused } from "../../domain/errors.ts"
import { newMessageId } from "../../domain/ids.ts"
import { type Message, MessageSender } from "../../domain/Message.ts"
import { nowIso, nowMillis } from "../../domain/time.ts"
import type { ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { conversationToJson, messageToJson } from "./serialize.ts"

/** The longest note an agent may write. */
export const NOTE_MAX_LENGTH = 4096

/** What an agent asks of a conversation (decoded with this Schema when it travels over NATS). */
export const WorkCommand = Schema.Union([
  Schema.Struct({
    op: Schema.Literal("assign"),
    /** A team id, null for no team; left out: the team stays. */
    team: Schema.optionalKey(Schema.NullOr(Schema.String)),
    /** An agent id, null for nobody; left out: the assignee stays (cleared when the new team is not theirs). */
    assignee: Schema.optionalKey(Schema.NullOr(Schema.String))
  }),
  Schema.Struct({ op: Schema.Literal("close") }),
  Schema.Struct({ op: Schema.Literal("reopen") }),
  Schema.Struct({
    op: Schema.Literal("note"),
    text: Schema.String,
    /** Makes a retried note harmless: the same key answers the same note. */
    idempotencyKey: Schema.NullOr(Schema.String)
  })
])
export type WorkCommand = typeof WorkCommand.Type

/** Who asks: as the audit log records them, and as a note's sender. */
export const WorkBy = Schema.Struct({ actor: AuditActor, sender: MessageSender })
export type WorkBy = typeof WorkBy.Type

/** The conversation after the change, and the note a `note` command wrote. */
export interface WorkDone {
  readonly conversation: Conversation
  readonly note?: Message
}

const refuse = (reply: Deferred.Deferred<WorkDone, WorkRefused>, code: string, message: string, path?: string) =>
  Deferred.fail(reply, new WorkRefused({ code, status: 422, message, ...(path === undefined ? {} : { details: [{ path, message }] }) }))

export const onWork = (
  deps: ActorDeps,
  state: ConversationState,
  command: WorkCommand,
  by: WorkBy,
  reply: Deferred.Deferred<WorkDone, WorkRefused>
) =>
  Effect.gen(function*() {
    const conversation = state.conversation
    if (conversation === null) {
      yield* Deferred.fail(reply, new WorkRefused({ code: "conversation_not_found", status: 404, message: "This conversation does not exist." }))
      return state
    }
    switch (command.op) {
      case "assign":
        return yield* assign(deps, state, conversation, command, by, reply)
      case "close":
      case "reopen":
        return yield* setStatus(deps, state, conversation, command.op === "close" ? "closed" : "open", by, reply)
      case "note":
        return yield* note(deps, state, conversation, command, by, reply)
    }
  })

const publicView = (deps: ActorDeps, state: ConversationState, row: ConversationRow) =>
  Effect.gen(function*() {
    const contact = (yield* deps.store.contact(state.contactId))!
    return conversationToJson(row, contact, yield* nowMillis)
  })

/** Writes the changed conversation with its audit entry, durably. */
const writeChange = (deps: ActorDeps, next: ConversationRow, by: WorkBy, action: string, before: unknown, after: unknown) =>
  Effect.gen(function*() {
    yield* deps.database.transaction(Effect.gen(function*() {
      yield* deps.store.updateConversation(next)
      yield* deps.audit({ actor: by.actor, action, target: `conversation:${next.id}`, before, after })
    }))
    yield* deps.database.committed()
  })

function assign(
  deps: ActorDeps,
  state: ConversationState,
  conversation: ConversationRow,
  command: Extract<WorkCommand, { op: "assign" }>,
  by: WorkBy,
  reply: Deferred.Deferred<WorkDone, WorkRefused>
) {
  return Effect.gen(function*() {
    const team = command.team === undefined ? conversation.team : command.team
    if (command.team !== undefined && command.team !== null) {
      const found = yield* deps.database.one((db, t) => db.select({ id: t.teams.id }).from(t.teams).where(eq(t.teams.id, command.team!)))
      if (found === undefined) {
        yield* refuse(reply, "invalid_assignment", `No team ${command.team}; see GET /api/v1/teams.`, "team")
        return state
      }
    }
    if (command.assignee !== undefined && command.assignee !== null) {
      const agent = yield* deps.database.one((db, t) =>
        db.select({ id: t.agents.id }).from(t.agents).where(and(eq(t.agents.id, command.assignee!), eq(t.agents.active, 1))))
      if (agent === undefined) {
        yield* refuse(reply, "invalid_assignment", `No active agent ${command.assignee}; see GET /api/v1/agents.`, "assignee")
        return state
      }
    }
    const memberOf = (agentId: string, teamId: string) =>
      deps.database.one((db, t) => db.select({ agentId: t.teamMembers.agentId }).from(t.teamMembers)
        .where(and(eq(t.teamMembers.teamId, teamId), inArray(t.teamMembers.agentId, [agentId])))).pipe(Effect.map((row) => row !== undefined))
    let assignee = command.assignee === undefined ? conversation.assignee : command.assignee
    if (team !== null && assignee !== null && !(yield* memberOf(assignee, team))) {
      if (command.assignee === undefined) {
        // Handed over to a team the assignee is not in: the new team picks who takes it.
        assignee = null
      } else {
        yield* refuse(reply, "invalid_assignment",
          `Agent ${assignee} is not a member of team ${team}: add them to the team (PATCH /api/v1/teams/${team}), assign another member, or set "team": null.`,
          "assignee")
        return state
      }
    }
    if (team === conversation.team && assignee === conversation.assignee) {
      yield* Deferred.succeed(reply, { conversation: yield* publicView(deps, state, conversation) })
      return state
    }
    const next: ConversationRow = { ...conversation, team, assignee, unreadCount: 0 }
    yield* writeChange(deps, next, by, "conversation.assign",
      { team: conversation.team, assignee: conversation.assignee }, { team, assignee })
    const view = yield* publicView(deps, state, next)
    yield* deps.publish([{ type: "conversation.updated", data: view }, { type: "conversation.assigned", data: view }])
    yield* Deferred.succeed(reply, { conversation: view })
    return { ...state, conversation: next }
  })
}

function setStatus(
  deps: ActorDeps,
  state: ConversationState,
  conversation: ConversationRow,
  status: "open" | "closed",
  by: WorkBy,
  reply: Deferred.Deferred<WorkDone, WorkRefused>
) {
  return Effect.gen(function*() {
    if (conversation.status === status) {
      yield* Deferred.succeed(reply, { conversation: yield* publicView(deps, state, conversation) })
      return state
    }
    const next: ConversationRow = { ...conversation, status, unreadCount: status === "closed" ? 0 : conversation.unreadCount }
    yield* writeChange(deps, next, by, status === "closed" ? "conversation.close" : "conversation.reopen",
      { status: conversation.status }, { status })
    const view = yield* publicView(deps, state, next)
    yield* deps.publish([{ type: "conversation.updated", data: view }])
    yield* Deferred.succeed(reply, { conversation: view })
    return { ...state, conversation: next }
  })
}

function note(
  deps: ActorDeps,
  state: ConversationState,
  conversation: ConversationRow,
  command: Extract<WorkCommand, { op: "note" }>,
  by: WorkBy,
  reply: Deferred.Deferred<WorkDone, WorkRefused>
) {
  return Effect.gen(function*() {
    const text = command.text.trim()
    if (text.length === 0 || command.text.length > NOTE_MAX_LENGTH) {
      yield* refuse(reply, "invalid_note", text.length === 0
        ? "A note needs text: send {\"text\": \"…\"}."
        : `A note is at most ${NOTE_MAX_LENGTH} characters; this one has ${command.text.length}. Shorten it or split it in two.`, "text")
      return state
    }
    if (command.idempotencyKey !== null) {
      const earlier = yield* deps.store.messageByIdempotencyKey(conversation.id, command.idempotencyKey)
      if (earlier !== undefined) {
        yield* Deferred.succeed(reply, { conversation: yield* publicView(deps, state, conversation), note: messageToJson(earlier) })
        return state
      }
    }
    const now = yield* nowIso
    const row: MessageRow = {
      seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "internal", type: "note",
      dedupeKey: null, providerMessageId: null, createdAt: now, status: "sent", text: command.text,
      replyTo: null, content: { sender: by.sender }, error: null, flags: [],
      idempotencyKey: command.idempotencyKey, author: by.sender.name
    }
    // A note is not activity for the resident: lastMessageAt (the list's order) stays; the agent has acted, so unread is 0.
    const next: ConversationRow = { ...conversation, unreadCount: 0 }
    const seq = yield* deps.database.transaction(Effect.gen(function*() {
      const inserted = (yield* deps.store.insertMessage(row))!
      if (conversation.unreadCount !== 0) yield* deps.store.updateConversation(next)
      // The note's text may hold residents' data: the audit log keeps only which note it was.
      yield* deps.audit({ actor: by.actor, action: "conversation.note", target: `conversation:${conversation.id}`, before: null, after: { messageId: row.id } })
      return inserted
    }))
    yield* deps.database.committed()
    const message = messageToJson({ ...row, seq })
    const view = yield* publicView(deps, state, next)
    yield* deps.publish([
      { type: "note.created", data: message },
      ...(conversation.unreadCount !== 0 ? [{ type: "conversation.updated" as const, data: view }] : [])
    ])
    yield* Deferred.succeed(reply, { conversation: view, note: message })
    return { ...state, conversation: next }
  })
}
