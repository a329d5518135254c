/** Helpers for the console's tests: agents through the admin API, sign-in over plain HTTP. */
import { expect } from "vitest"
import { auth } from "./gateway.ts"

export const PASSWORD = "correct horse battery staple"
let agentCount = 0
export const nextNumber = () => ++agentCount

export async function adminApi(url: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method: init.method ?? "GET", headers: { ...auth, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  return { status: res.status, body: await res.json().catch(() => null) }
}

export async function newAgent(url: string, role: "agent" | "admin" = "agent", teams?: Array<string>) {
  const n = nextNumber()
  const email = `agent${n}-${process.pid}@gemeente.example`
  const created = await adminApi(url, "/agents", { method: "POST", body: { email, name: `Agent ${n}`, role, password: PASSWORD, ...(teams ? { teams } : {}) } })
  expect(created.status).toBe(201)
  return { id: created.body.id as string, email }
}

/** Sign-in over plain HTTP: the form's CSRF cookie and field, then the post. Answers the response. */
export async function postSignIn(url: string, email: string, password: string, headers: Record<string, string> = {}) {
  const form = await fetch(`${url}/console/login`)
  const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0]!
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!
  return fetch(`${url}/console/login`, {
    method: "POST", redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: "/console" })
  })
}

/** Signs in and answers the `loket_session=…` cookie pair (checking its attributes). */
export async function sessionCookie(url: string, email: string) {
  const res = await postSignIn(url, email, PASSWORD)
  expect(res.status).toBe(303)
  const cookie = res.headers.get("set-cookie")!
  expect(cookie).toMatch(/loket_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/)
  return cookie.split(";")[0]!
}

/** The CSRF token a console page carries for its session. */
export async function csrfOf(url: string, cookie: string, path = "/console") {
  return /data-csrf="([^"]+)"/.exec(await (await fetch(`${url}${path}`, { headers: { cookie } })).text())![1]!
}
