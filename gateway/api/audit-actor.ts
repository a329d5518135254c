/** Who an API caller is, as the audit log records it: the agent a token belongs to, else the token. */
import type { AuditActor } from "../../actors/audit/Audit.ts"
import type { Principal } from "../../actors/people/Principal.ts"

export const auditActorOf = (principal: Principal): AuditActor =>
  principal.kind === "agent" && principal.agentId !== null
    ? { kind: "agent", id: principal.agentId, name: principal.name }
    : { kind: "token", id: principal.tokenId, name: principal.name }
