/**
 * The list of conversations (newest activity first) with its views — Mine, Unassigned, Team,
 * All — as links (the view is in the URL, so back and forward work). Refreshed by htmx when the
 * console's stream says conversations changed (`sse:list`): the stream gathers a burst of changes
 * into one signal (console/events.ts), so a burst is one fetch of the list.
 */
import type { Conversation } from "../../../domain/Conversation.ts"
import type { ConsoleTexts } from "../texts.ts"
import { formatTime, residentLabel } from "./format.ts"

export type ListView = "mine" | "unassigned" | "team" | "all"
export const LIST_VIEWS: ReadonlyArray<ListView> = ["mine", "unassigned", "team", "all"]

export interface ListProps {
  readonly texts: ConsoleTexts
  readonly language: "nl" | "en"
  readonly timeZone: string
  readonly view: ListView
  readonly views: ReadonlyArray<ListView>
  readonly items: ReadonlyArray<Conversation & { unreadCount?: number }>
  readonly current?: string | undefined
}

const viewLabel = (texts: ConsoleTexts, view: ListView) =>
  view === "mine" ? texts.mine : view === "unassigned" ? texts.unassigned : view === "team" ? texts.team : texts.all

export function ListItems({ texts, language, timeZone, view, items, current }: ListProps) {
  if (items.length === 0) return <p class="empty">{texts.noConversations}</p>
  return (
    <ol class="conversations">
      {items.map((item) => {
        const unread = item.unreadCount ?? 0
        return (
          <li class={item.id === current ? "current" : undefined}>
            <a href={`/console/c/${item.id}?view=${view}`} data-conversation={item.id} aria-current={item.id === current ? "page" : undefined}>
              <span class="who">{residentLabel(item.contact)}</span>
              <span class="meta">
                <time datetime={item.lastMessageAt}>{formatTime(item.lastMessageAt, language, timeZone)}</time>
                {" · "}{texts.channelName[item.channel] ?? item.channel}{item.status === "closed" ? ` · ${texts.closed}` : ""}
              </span>
              {unread > 0 ? <span class="badge">{texts.unread(unread)}</span> : null}
            </a>
          </li>
        )
      })}
    </ol>
  )
}

export function ConversationList(props: ListProps) {
  const { texts, view, views, current } = props
  const fragment = `/console/fragments/list?view=${view}${current ? `&current=${current}` : ""}`
  return (
    <nav class="list" aria-labelledby="list-title">
      <h2 id="list-title">{texts.conversations}</h2>
      <ul class="views">
        {views.map((v) => (
          <li><a href={`/console?view=${v}`} aria-current={v === view ? "page" : undefined}>{viewLabel(texts, v)}</a></li>
        ))}
      </ul>
      <div id="list-items" hx-get={fragment} hx-trigger="sse:list" hx-swap="innerHTML">
        <ListItems {...props} />
      </div>
    </nav>
  )
}
