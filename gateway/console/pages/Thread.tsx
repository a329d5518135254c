/**
 * One conversation: its messages (media, reactions, replies, statuses, resident-safety flags,
 * links defanged when the settings say so), the 24-hour window and what it allows, and the
 * reply box (free text inside the window, an approved template with its parameters always).
 * The messages refresh when the console's stream names this conversation (`sse:c-<id>`); the
 * reply box is outside what is swapped, so a half-written answer stays.
 */
import type { Conversation } from "../../../domain/Conversation.ts"
import type { Message } from "../../../domain/Message.ts"
import type { ConsoleTexts } from "../texts.ts"
import { defang, formatTime, residentLabel } from "./format.ts"

export interface TemplateChoice {
  readonly name: string
  readonly language: string
  /** How many body parameters ({{1}}, {{2}}, …) the template has. */
  readonly body: number
  /** The body's text with its {{n}} places, as Meta has it (shown to the agent), if known. */
  readonly text: string | null
}

export interface ThreadProps {
  readonly texts: ConsoleTexts
  readonly language: "nl" | "en"
  readonly timeZone: string
  readonly conversation: Conversation
  readonly messages: ReadonlyArray<Message>
  readonly defangLinks: boolean
  readonly templates: ReadonlyArray<TemplateChoice>
  readonly now: number
  readonly error?: string | undefined
  /** Team and assignee (refreshed live), under the header. */
  readonly status?: unknown
  /** Hand-over, take, close, note, canned responses: after the reply forms. */
  readonly work?: unknown
}

type AnyMessage = Message & { author?: string | null; sender?: { name: string } | null; template?: { name: string } | null }

function Body({ message, texts, defangLinks }: { message: AnyMessage; texts: ConsoleTexts; defangLinks: boolean }) {
  // `textSafe` is what agents may see (personal data masked, links defanged, as the settings say);
  // a message without it (stored before resident safety) is defanged here when the settings ask.
  const text = message.textSafe !== undefined && message.textSafe !== message.text
    ? message.textSafe
    : message.text === null ? null : defangLinks && message.direction === "inbound" ? defang(message.text) : message.text
  return (
    <>
      {message.reply ? <p class="reply-to">{texts.replyToMessage}: {message.reply.title}</p> : null}
      {message.replyTo && !message.reply ? <p class="reply-to">{texts.replyToMessage}</p> : null}
      {message.reaction ? <p>{texts.reactionTo} {message.reaction.emoji ?? "—"}</p> : null}
      {message.media ? (
        message.media.mimeType.startsWith("image/") && message.type !== "sticker"
          ? <p><img src={`/api/v1/media/${message.media.id}`} alt={text ?? texts.attachment} loading="lazy" /></p>
          : <p><a href={`/api/v1/media/${message.media.id}`}>{texts.attachment}: {message.media.filename ?? message.media.mimeType}</a></p>
      ) : null}
      {message.location ? <p>{texts.location}: {message.location.name ?? ""} {message.location.address ?? ""} ({message.location.latitude}, {message.location.longitude})</p> : null}
      {text !== null && !(message.media && message.media.mimeType.startsWith("image/")) ? <p class="text">{text}</p> : null}
    </>
  )
}

export function MessageItems({ texts, language, timeZone, messages, defangLinks }: Pick<ThreadProps, "texts" | "language" | "timeZone" | "messages" | "defangLinks">) {
  if (messages.length === 0) return <li class="empty">{texts.noMessages}</li>
  return (
    <>
      {messages.map((raw) => {
        const message = raw as AnyMessage
        const direction = message.direction as string
        const who = direction === "inbound" ? texts.inbound : direction === "internal" ? texts.internal : message.sender?.name ?? message.author ?? texts.outbound
        const flags = message.flags.filter((f) => f !== "auto")
        return (
          <li class={`message ${direction}`} data-message={message.id}>
            <p class="by"><span>{who}</span> <time datetime={message.createdAt}>{formatTime(message.createdAt, language, timeZone)}</time>
              {direction === "outbound" ? <span class={`status ${message.status}`}> · {texts.status[message.status] ?? message.status}</span> : null}
              {message.flags.includes("auto") ? <span class="status"> · {texts.flag.auto}</span> : null}
            </p>
            <Body message={message} texts={texts} defangLinks={defangLinks} />
            {message.error ? <p class="alert">{message.error.title}</p> : null}
            {flags.length > 0 ? (
              <ul class="flags" aria-label={texts.flags}>{flags.map((f) => <li class={`flag ${f.split(":")[0]}`}>{texts.flag[f] ?? f}</li>)}</ul>
            ) : null}
          </li>
        )
      })}
    </>
  )
}

export function windowOpen(conversation: Conversation, now: number) {
  return conversation.windowExpiresAt !== null && Date.parse(conversation.windowExpiresAt) > now
}

export function Thread(props: ThreadProps) {
  const { texts, language, timeZone, conversation, templates, now, error } = props
  const open = windowOpen(conversation, now)
  const id = conversation.id
  return (
    <section class="thread" aria-labelledby="thread-title">
      <header class="thread-head">
        <h2 id="thread-title">{texts.conversationWith(residentLabel(conversation.contact))}</h2>
        <p class="meta">{texts.channelName[conversation.channel] ?? conversation.channel} · {conversation.status === "open" ? texts.open : texts.closed}</p>
        <p class={open ? "window open" : "window closed"} id="window-state">
          {open ? texts.windowOpenUntil(formatTime(conversation.windowExpiresAt!, language, timeZone)) : texts.windowClosed}
        </p>
        {props.defangLinks ? <p class="meta">{texts.linksDefanged}</p> : null}
      </header>
      {props.status as never}
      <h3 class="visually-hidden">{texts.messages}</h3>
      <div role="log" aria-label={texts.messages}>
        <ol id="messages" class="messages" hx-get={`/console/fragments/messages/${id}`} hx-trigger={`sse:c-${id}`} hx-swap="innerHTML">
          <MessageItems {...props} />
        </ol>
      </div>
      <div id="reply-result" role="status">{error ? <p class="alert">{error}</p> : null}</div>
      {open ? (
        <form class="reply" method="post" action={`/console/c/${id}/reply`} hx-post={`/console/c/${id}/reply`} hx-target="#reply-result" hx-swap="innerHTML" data-reset-on-success>
          <label for="reply-text">{texts.reply}</label>
          <textarea id="reply-text" name="text" rows={3} maxlength={4096} required aria-describedby="reply-hint" data-shortcut-target="reply"></textarea>
          <p id="reply-hint" class="hint">{texts.replyHint}</p>
          <button type="submit" class="button primary">{texts.send}</button>
        </form>
      ) : null}
      {open ? (
        <form class="attachment" method="post" action={`/console/c/${id}/attachment`} enctype="multipart/form-data"
          hx-post={`/console/c/${id}/attachment`} hx-encoding="multipart/form-data" hx-target="#reply-result" hx-swap="innerHTML" data-reset-on-success>
          <fieldset>
            <legend>{texts.attachment}</legend>
            <label for="attachment-file">{texts.attachmentFile}</label>
            <input id="attachment-file" name="file" type="file" required />
            <label for="attachment-caption">{texts.attachmentCaption}</label>
            <input id="attachment-caption" name="caption" type="text" maxlength={1024} />
            <button type="submit" class="button">{texts.sendAttachment}</button>
          </fieldset>
        </form>
      ) : null}
      <form class="template" method="post" action={`/console/c/${id}/template`} hx-post={`/console/c/${id}/template`} hx-target="#reply-result" hx-swap="innerHTML" data-reset-on-success>
        <fieldset>
          <legend>{texts.template}</legend>
          {templates.length === 0 ? <p>{texts.noTemplates}</p> : (
            <>
              <label for="template-name">{texts.template}</label>
              <select id="template-name" name="template" data-template-select aria-describedby="template-text">
                {templates.map((t) => <option value={`${t.name}|${t.language}`} data-parameters={String(t.body)} data-text={t.text ?? ""}>{t.name} ({t.language}, {t.body})</option>)}
              </select>
              <p class="hint template-text" id="template-text"><span class="visually-hidden">{texts.templateText}: </span><span data-template-text>{templates[0]!.text ?? ""}</span></p>
              {Array.from({ length: Math.max(...templates.map((t) => t.body)) }, (_, i) => i + 1).map((n) => (
                <p class="field template-parameter" data-template-parameter={String(n)} hidden={n > templates[0]!.body}>
                  <label for={`template-parameter-${n}`}>{texts.templateParameter(n)}</label>
                  <input id={`template-parameter-${n}`} name={`parameter.${n}`} type="text" maxlength={1024} autocomplete="off" required={n <= templates[0]!.body} disabled={n > templates[0]!.body} />
                </p>
              ))}
              <button type="submit" class="button">{texts.sendTemplate}</button>
            </>
          )}
        </fieldset>
      </form>
      {props.work as never}
    </section>
  )
}
