/** The playbook in end-to-end tests on the real clock: closed now, open from a minute or two ahead; the follow-up template. */
import { localDateTime } from "../../domain/office-hours/zone.ts"
import { auth } from "./gateway.ts"

export const TZ = "Europe/Amsterdam"
const pad = (n: number) => String(n).padStart(2, "0")

/** The local date and HH:MM of an instant in Amsterdam. */
export function local(ms: number): { date: string; time: string } {
  const { date, minutes } = localDateTime(ms, TZ)
  return { date, time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}` }
}

/** Closed now; open from the minute after next (60–120 s away) until the end of that day: the overrides, and the opening. */
export function openingSoon(now = Date.now()): { opening: number; overrides: Record<string, Array<{ open: string; close: string }>> } {
  let opening = (Math.floor(now / 60_000) + 2) * 60_000
  if (local(opening).time >= "23:58") opening += 3 * 60_000
  const open = local(opening)
  const overrides: Record<string, Array<{ open: string; close: string }>> = { [open.date]: [{ open: open.time, close: "23:59" }] }
  if (local(now).date !== open.date) overrides[local(now).date] = []
  return { opening, overrides }
}

export const FOLLOW_UP_TEMPLATE = {
  name: "loket_follow_up", language: "nl", status: "APPROVED", category: "UTILITY",
  components: [{ type: "BODY", text: "Heeft u nog hulp nodig?" }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Ja, graag" }, { type: "QUICK_REPLY", text: "Nee, dank u" }] }]
}
export const FOLLOW_UP = { enabled: true, template: { name: "loket_follow_up", language: "nl", buttons: ["Ja, graag", "Nee, dank u"] } }

/** Meta's template send as Loket makes it for FOLLOW_UP. */
export const FOLLOW_UP_REQUEST_TEMPLATE = {
  name: "loket_follow_up", language: { code: "nl" },
  components: [
    { type: "button", sub_type: "quick_reply", index: "0", parameters: [{ type: "payload", payload: "loket:follow-up:0" }] },
    { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "loket:follow-up:1" }] }
  ]
}

export async function patchSettings(url: string, patch: unknown): Promise<Response> {
  return fetch(`${url}/api/v1/settings`, { method: "PATCH", headers: { ...auth, "content-type": "application/merge-patch+json" }, body: JSON.stringify(patch) })
}
