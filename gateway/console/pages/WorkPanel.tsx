/**
 * What an agent does with a conversation besides answering: hand it over to a vakteam (assign
 * its team), take it, close or reopen it, write an internal note (never sent to the resident),
 * and pick a canned response for the reply box. Plain forms that htmx posts (CSRF header on the
 * body); each also works without script. The result shows in #reply-result.
 */
import type { Conversation } from "../../../domain/Conversation.ts"
import type { ConsoleTexts } from "../texts.ts"

export interface CannedChoice {
  readonly id: string
  readonly shortcut: string
  readonly title: string
  readonly text: string
}

export interface WorkPanelProps {
  readonly texts: ConsoleTexts
  readonly conversation: Conversation
  readonly teams: ReadonlyArray<{ readonly id: string; readonly name: string }>
  readonly agentNames: ReadonlyMap<string, string>
  readonly me: string | null
  readonly canned: ReadonlyArray<CannedChoice>
}

const post = (id: string, action: string) => ({
  method: "post" as const, action: `/console/c/${id}/${action}`, "hx-post": `/console/c/${id}/${action}`, "hx-target": "#reply-result", "hx-swap": "innerHTML"
})

export function Assignment({ texts, conversation, teams, agentNames }: Pick<WorkPanelProps, "texts" | "conversation" | "teams" | "agentNames">) {
  const team = teams.find((t) => t.id === conversation.team)?.name ?? texts.noTeam
  const assignee = conversation.assignee === null ? texts.unassigned : agentNames.get(conversation.assignee) ?? conversation.assignee
  return <p class="meta" id="assignment">{texts.teamLabel}: <strong>{team}</strong> · {texts.assigneeLabel}: <strong>{assignee}</strong></p>
}

export function WorkPanel(props: WorkPanelProps) {
  const { texts, conversation, teams, me, canned } = props
  const id = conversation.id
  return (
    <div class="work">
      <form {...post(id, "assign")} class="inline">
        <label for="assign-team">{texts.handOver}</label>
        <select id="assign-team" name="team" data-command={texts.handOver}>
          <option value="">{texts.noTeam}</option>
          {teams.map((t) => <option value={t.id} selected={t.id === conversation.team}>{t.name}</option>)}
        </select>
        <button type="submit" class="button">{texts.handOver}</button>
      </form>
      <div class="buttons">
        {me !== null && conversation.assignee !== me ? (
          <form {...post(id, "assign")}><input type="hidden" name="assignee" value={me} />
            <button type="submit" class="button" data-shortcut="assign" aria-keyshortcuts="a" data-command={texts.assignToMe}>{texts.assignToMe}</button></form>
        ) : null}
        {conversation.status === "open" ? (
          <form {...post(id, "close")}><button type="submit" class="button" data-shortcut="close" aria-keyshortcuts="c" data-command={texts.closeConversation}>{texts.closeConversation}</button></form>
        ) : (
          <form {...post(id, "reopen")}><button type="submit" class="button" data-command={texts.reopenConversation}>{texts.reopenConversation}</button></form>
        )}
      </div>
      <form {...post(id, "note")} class="note" data-reset-on-success>
        <label for="note-text">{texts.note}</label>
        <textarea id="note-text" name="text" rows={2} maxlength={4096} required></textarea>
        <button type="submit" class="button" data-command={texts.addNote}>{texts.addNote}</button>
      </form>
      {canned.length > 0 ? (
        <p class="canned">
          <label for="canned-choice">{texts.cannedResponses}</label>
          <select id="canned-choice">
            {canned.map((c) => <option value={c.id} data-text={c.text}>{c.shortcut} — {c.title}</option>)}
          </select>
          <button type="button" class="button" data-insert-canned data-command={texts.cannedResponses}>{texts.useCanned}</button>
        </p>
      ) : null}
    </div>
  )
}
