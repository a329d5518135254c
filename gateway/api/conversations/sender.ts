/** Who the caller is, as a Message's `sender` and the audit log record them. */
import type { MessageSender } from "../../../domain/Message.ts"
import type { Principal } from "../../../actors/people/Principal.ts"
import type { WorkBy } from "../../../actors/conversation/work.ts"
import { auditActorOf } from "../audit-actor.ts"

export const senderOf = (principal: Principal): MessageSender =>
  principal.kind === "agent" && principal.agentId !== null
    ? { kind: "agent", id: principal.agentId, name: principal.name }
    : { kind: "token", id: principal.tokenId, name: principal.name }

export const workByOf = (principal: Principal): WorkBy => ({ actor: auditActorOf(principal), sender: senderOf(principal) })
