/** Moved to actors/people/ApiTokens.ts (the gateway only asks it); re-exported for the names the code already uses. */
export { ApiTokens, hashToken } from "../../../actors/people/ApiTokens.ts"
export type { Principal, Role } from "../../../actors/people/Principal.ts"
