/** `/api/v1/agents` (admin): create, list, read, change, deactivate (its tokens end at once). */
import { Hono } from "hono"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { createAgent, deactivateAgent, getAgent, listAgents, updateAgent } from "./actions.ts"
import { limitPeopleBody, readBody } from "./body.ts"
import { answer } from "./errors.ts"
import { CreateAgentBody, UpdateAgentBody } from "./schemas.ts"

const decodeCreate = decodeWith(CreateAgentBody)
const decodeUpdate = decodeWith(UpdateAgentBody)

export function agentRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>()
    .post("/", limitPeopleBody, async function createAgentRoute(c) {
      const body = await readBody(c, decodeCreate)
      if (!body.ok) return body.response
      return answer(c, runtime, createAgent(c.get("principal"), body.value), (agent) => c.json(agent, 201))
    })
    .get("/", async function listAgentsRoute(c) {
      return answer(c, runtime, listAgents, (items) => c.json({ items }))
    })
    .get("/:id", async function getAgentRoute(c) {
      return answer(c, runtime, getAgent(c.req.param("id")), (agent) => c.json(agent))
    })
    .patch("/:id", limitPeopleBody, async function updateAgentRoute(c) {
      const body = await readBody(c, decodeUpdate)
      if (!body.ok) return body.response
      return answer(c, runtime, updateAgent(c.get("principal"), c.req.param("id"), body.value), (agent) => c.json(agent))
    })
    .delete("/:id", async function deactivateAgentRoute(c) {
      return answer(c, runtime, deactivateAgent(c.get("principal"), c.req.param("id")), (agent) => c.json(agent))
    })
}
