/** `/api/v1/teams` (admin): the vakteams, each with its members' agent ids. */
import { Hono } from "hono"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { createTeam, deleteTeam, listTeams, updateTeam } from "./actions.ts"
import { limitPeopleBody, readBody } from "./body.ts"
import { answer } from "./errors.ts"
import { CreateTeamBody, UpdateTeamBody } from "./schemas.ts"

const decodeCreate = decodeWith(CreateTeamBody)
const decodeUpdate = decodeWith(UpdateTeamBody)

export function teamRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>()
    .post("/", limitPeopleBody, async function createTeamRoute(c) {
      const body = await readBody(c, decodeCreate)
      if (!body.ok) return body.response
      return answer(c, runtime, createTeam(c.get("principal"), body.value), (team) => c.json(team, 201))
    })
    .get("/", async function listTeamsRoute(c) {
      return answer(c, runtime, listTeams, (items) => c.json({ items }))
    })
    .patch("/:id", limitPeopleBody, async function updateTeamRoute(c) {
      const body = await readBody(c, decodeUpdate)
      if (!body.ok) return body.response
      return answer(c, runtime, updateTeam(c.get("principal"), c.req.param("id"), body.value), (team) => c.json(team))
    })
    .delete("/:id", async function deleteTeamRoute(c) {
      return answer(c, runtime, deleteTeam(c.get("principal"), c.req.param("id")), () => c.body(null, 204))
    })
}
