import { describe, expect, it } from "vitest"
import { canSee } from "./access.ts"

describe("access \"team\": who sees a conversation", () => {
  const agent = { all: false, teams: ["tm_afval"], agentId: "agt_piet" } as const
  it("everyone, with access all or the admin role", () => {
    expect(canSee({ all: true }, { team: "tm_other", assignee: "agt_other" })).toBe(true)
  })
  it("an agent: without a team, of its teams, or assigned to it — not the rest", () => {
    expect(canSee(agent, { team: null, assignee: null })).toBe(true)
    expect(canSee(agent, { team: "tm_afval", assignee: "agt_other" })).toBe(true)
    expect(canSee(agent, { team: "tm_other", assignee: "agt_piet" })).toBe(true)
    expect(canSee(agent, { team: "tm_other", assignee: null })).toBe(false)
  })
  it("an agent-role token of its own (no agent, no teams): only those without a team", () => {
    const token = { all: false, teams: [], agentId: null } as const
    expect(canSee(token, { team: null, assignee: "agt_piet" })).toBe(true)
    expect(canSee(token, { team: "tm_afval", assignee: null })).toBe(false)
  })
})
