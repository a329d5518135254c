/**
 * Meta webhook body → canonical events. Loops over every entry, change, message and status
 * (Meta batches up to 1,000 updates in one POST). Never throws.
 *
 * Decisions on bodies that are not what Meta documents (all are signed by Meta, so
 * nothing is dropped silently):
 * - body not a JSON object, or `object` missing / not a string → one rejected item at `$`
 *   (parked with the raw body: we cannot tell whose it is);
 * - `object` is another string (`page`, `instagram`, …) → `ignored`: not for this adapter;
 * - right `object` but `entry` not an array, an entry or change not an object, `changes`
 *   not an array, `field` not a string → a rejected item at that path, the rest goes on;
 * - `field` we do not handle (`account_update`, `group_*`, …) → skipped, named in `ignored`
 *   when nothing else in the body was for us;
 * - `value.errors[]` (errors about the number, without a message) → rejected items, so an
 *   operator sees them among the parked events;
 * - a value without `metadata.phone_number_id` → each of its messages and statuses rejected.
 */
import type { InboundEvent, ParsedWebhook } from "../../domain/InboundEvent.ts"
import type { Rejection } from "./parse-content.ts"
import { parseMessage } from "./parse-message.ts"
import { parseStatus, parseTemplateStatus } from "./parse-status.ts"
import { arr, firstError, id, obj, str, type Obj } from "./read.ts"
import { indexContacts, type ContactIndex } from "./resident.ts"

export const WABA_OBJECT = "whatsapp_business_account"

type Rejected = ParsedWebhook["rejected"][number]

interface Sink {
  readonly events: Array<InboundEvent>
  readonly rejected: Array<Rejected>
  readonly skippedFields: Set<string>
}

export function parseWebhook(body: unknown): ParsedWebhook {
  const sink: Sink = { events: [], rejected: [], skippedFields: new Set() }
  try {
    const root = obj(body)
    const object = str(root?.object)
    if (root === undefined || object === null) {
      return { events: [], rejected: [{ path: "$", reason: "body is not a webhook object (no `object` field)", raw: body }], ignored: null }
    }
    if (object !== WABA_OBJECT) {
      return { events: [], rejected: [], ignored: `object ${object} is not ${WABA_OBJECT}` }
    }
    const entries = arr(root.entry)
    if (entries === undefined) {
      sink.rejected.push({ path: "$.entry", reason: "entry is not an array", raw: body })
    } else {
      entries.forEach((entry, i) => guarded(sink, `$.entry[${i}]`, entry, () => parseEntry(sink, entry, `$.entry[${i}]`)))
    }
  } catch (cause) {
    sink.rejected.push({ path: "$", reason: `unreadable body: ${describe(cause)}`, raw: body })
  }
  return { events: sink.events, rejected: sink.rejected, ignored: ignoredReason(sink) }
}

function ignoredReason(sink: Sink): string | null {
  if (sink.events.length > 0 || sink.rejected.length > 0) return null
  if (sink.skippedFields.size > 0) return `field(s) ${[...sink.skippedFields].join(", ")} not handled`
  return "no messages, statuses or template updates in body"
}

function parseEntry(sink: Sink, item: unknown, path: string): void {
  const entry = obj(item)
  if (entry === undefined) return reject(sink, path, "entry is not an object", item)
  const changes = arr(entry.changes)
  if (changes === undefined) return reject(sink, `${path}.changes`, "changes is not an array", item)
  changes.forEach((change, j) => {
    const at = `${path}.changes[${j}]`
    guarded(sink, at, change, () => parseChange(sink, change, entry, at))
  })
}

function parseChange(sink: Sink, item: unknown, entry: Obj, path: string): void {
  const change = obj(item)
  if (change === undefined) return reject(sink, path, "change is not an object", item)
  const field = str(change.field)
  if (field === null) return reject(sink, `${path}.field`, "change without field", item)
  const value = obj(change.value)
  if (field === "messages") {
    if (value === undefined) return reject(sink, `${path}.value`, "messages change without value object", item)
    return parseMessagesValue(sink, value, `${path}.value`)
  }
  if (field === "message_template_status_update") {
    if (value === undefined) return reject(sink, `${path}.value`, "template status change without value object", item)
    return collect(sink, `${path}.value`, value, parseTemplateStatus(value, entry))
  }
  sink.skippedFields.add(field)
}

function parseMessagesValue(sink: Sink, value: Obj, path: string): void {
  const accountId = id(obj(value.metadata)?.phone_number_id)
  const messages = list(sink, value, "messages", path)
  const statuses = list(sink, value, "statuses", path)
  for (const [i, error] of (arr(value.errors) ?? []).entries()) {
    const e = firstError([error])
    reject(sink, `${path}.errors[${i}]`, `webhook error ${e?.code ?? "?"}: ${e?.title ?? "unknown"}`, error)
  }
  if (accountId === null) {
    const reason = "value without metadata.phone_number_id"
    messages.forEach((m, i) => reject(sink, `${path}.messages[${i}]`, reason, m))
    statuses.forEach((s, i) => reject(sink, `${path}.statuses[${i}]`, reason, s))
    if (messages.length === 0 && statuses.length === 0) reject(sink, path, reason, value)
    return
  }
  const contacts: ContactIndex = indexContacts(value.contacts)
  messages.forEach((m, i) => {
    const at = `${path}.messages[${i}]`
    guarded(sink, at, m, () => collect(sink, at, m, parseMessage(m, accountId, contacts)))
  })
  statuses.forEach((s, i) => {
    const at = `${path}.statuses[${i}]`
    guarded(sink, at, s, () => collect(sink, at, s, parseStatus(s, accountId, contacts)))
  })
}

/** `value[key]` as an array; absent is empty, anything else is rejected. */
function list(sink: Sink, value: Obj, key: string, path: string): ReadonlyArray<unknown> {
  const raw = value[key]
  if (raw === undefined || raw === null) return []
  const items = arr(raw)
  if (items === undefined) reject(sink, `${path}.${key}`, `${key} is not an array`, raw)
  return items ?? []
}

function collect(sink: Sink, path: string, raw: unknown, result: InboundEvent | Rejection): void {
  if ("reject" in result) reject(sink, path, result.reject, raw)
  else sink.events.push(result)
}

function reject(sink: Sink, path: string, reason: string, raw: unknown): void {
  sink.rejected.push({ path, reason, raw })
}

/** Belt and braces: a throwing getter on exotic input costs one item, not the batch. */
function guarded(sink: Sink, path: string, raw: unknown, run: () => void): void {
  try {
    run()
  } catch (cause) {
    reject(sink, path, `unreadable: ${describe(cause)}`, raw)
  }
}

function describe(cause: unknown): string {
  try {
    return cause instanceof Error ? cause.message : String(cause)
  } catch {
    return "unknown error"
  }
}
