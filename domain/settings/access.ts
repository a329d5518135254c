/** `access`: which conversations an agent sees: all, or only the unassigned ones and those of its teams. */
import { Schema } from "effect"

export const Access = Schema.Literals(["all", "team"]).annotate({ description: "all: every agent sees every conversation; team: unassigned ones and those of the agent's teams." })
export type Access = typeof Access.Type

export const defaultAccess: Access = "all"
