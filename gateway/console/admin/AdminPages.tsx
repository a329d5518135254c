/**
 * The admins' pages of the console: the settings an admin changes most (language, access, link
 * protection, auto-replies, weekly office hours, closed dates) and the people (agents, vakteams).
 * Plain forms (no script needed); saved through the agent API with the session, so the settings'
 * validation, the audit log and the role checks are the API's own.
 */
import type { Agent, Team } from "../../../actors/people/People.ts"
import type { SettingsDocument } from "../../../domain/settings/SettingsDocument.ts"
import type { ConsoleTexts } from "../texts.ts"

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const

export interface Problem {
  readonly path: string
  readonly message: string
}

function Problems({ problems, texts }: { problems: ReadonlyArray<Problem>; texts: ConsoleTexts }) {
  if (problems.length === 0) return null
  return (
    <div class="alert" role="alert" id="problems">
      <p>{texts.admin.notSaved}</p>
      <ul>{problems.map((p) => <li>{p.path === "" ? null : <><code>{p.path}</code>: </>}{p.message}</li>)}</ul>
    </div>
  )
}

export function AdminNav({ texts, here }: { texts: ConsoleTexts; here: "settings" | "people" }) {
  return (
    <nav aria-label={texts.settings} class="admin-nav">
      <ul class="views">
        <li><a href="/console/admin/settings" aria-current={here === "settings" ? "page" : undefined}>{texts.settings}</a></li>
        <li><a href="/console/admin/people" aria-current={here === "people" ? "page" : undefined}>{texts.admin.people}</a></li>
        <li><a href="/widget">{texts.admin.widget}</a></li>
      </ul>
    </nav>
  )
}

export const slotsText = (slots: ReadonlyArray<{ open: string; close: string }>) => slots.map((s) => `${s.open}-${s.close}`).join(", ")

/** The submitted form (after a refusal): shown again as typed, so nothing else is lost. */
export type SubmittedForm = Readonly<Record<string, string>>

/** Whether a problem's path (`officeHours.weekly.monday[0].open`) lies under `prefix`. */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)

/** The path of one date in `officeHours.overrides`, as the API's problems name it. */
export const overridePath = (date: string) => `officeHours.overrides[${JSON.stringify(date)}]`

/** One special date as the form shows it: its date, its hours ("" closed), and the stored date it was. */
export interface OverrideRow {
  readonly was: string
  readonly date: string
  readonly hours: string
  readonly remove: boolean
}

export function overrideRows(settings: SettingsDocument, form: SubmittedForm | undefined): Array<OverrideRow> {
  if (form === undefined) {
    return Object.entries(settings.officeHours.overrides).sort(([a], [b]) => a.localeCompare(b))
      .map(([date, slots]) => ({ was: date, date, hours: slotsText(slots), remove: false }))
  }
  const rows: Array<OverrideRow> = []
  for (let i = 0; form[`overrides.${i}.was`] !== undefined; i++) {
    rows.push({ was: form[`overrides.${i}.was`]!, date: form[`overrides.${i}.date`] ?? "", hours: form[`overrides.${i}.hours`] ?? "", remove: form[`overrides.${i}.remove`] === "on" })
  }
  return rows
}

/** A template as the settings page offers it for the follow-up (synced, approved by Meta). */
export interface ApprovedTemplate {
  readonly name: string
  readonly language: string
}

export function SettingsPage({ texts, csrf, settings, problems, saved, form, notice, approved = [] }: {
  texts: ConsoleTexts; csrf: string; settings: SettingsDocument; problems: ReadonlyArray<Problem>; saved: boolean; form?: SubmittedForm | undefined
  /** A line about what was just done (the templates were fetched), shown as a status. */
  notice?: { readonly text: string; readonly failed: boolean } | undefined
  approved?: ReadonlyArray<ApprovedTemplate>
}) {
  const a = texts.admin
  const replies = [["outOfHours", a.outOfHours], ["receipt", a.receipt], ["firstContact", a.firstContact]] as const
  /** A text field's value: as submitted after a refusal, else as stored. */
  const value = (name: string, stored: string) => (form === undefined ? stored : form[name] ?? "")
  const checked = (name: string, stored: boolean) => (form === undefined ? stored : form[name] === "on")
  /** Where each problem is shown: the id of its field (the summary links there). */
  const shown = new Map<Problem, string>()
  const problemsOf = (id: string, prefixes: Array<string>) => {
    const found = problems.filter((p) => prefixes.some((prefix) => under(p.path, prefix)))
    for (const p of found) if (!shown.has(p)) shown.set(p, id)
    return found
  }
  /** aria attributes and the message element of one field: `described` adds the field's own hint. */
  const field = (id: string, prefixes: Array<string>, described?: string) => {
    const found = problemsOf(id, prefixes)
    const errorId = `${id}-error`
    const describedBy = [described, found.length > 0 ? errorId : undefined].filter((x) => x !== undefined).join(" ")
    return {
      attrs: { "aria-invalid": found.length > 0 ? "true" : undefined, "aria-describedby": describedBy === "" ? undefined : describedBy },
      error: found.length > 0 ? <p class="field-error" id={errorId}>{found.map((p) => p.message).join("; ")}</p> : null
    }
  }
  const rows = overrideRows(settings, form)
  /** Each field's label by its id: the summary of problems names the field as the form does. */
  const labels: Record<string, string> = {
    language: a.language, access: a.access, "link-mode": a.linkProtection, "closed-dates": a.closedDates,
    "override-new-hours": a.newOverrideHours, "follow-up-name": a.followUpName, "follow-up-language": a.followUpLanguage,
    "follow-up-buttons": a.followUpButtons, "follow-up-enabled": a.followUpOn, "pii-text": a.piiText, "pii-detect": a.piiDetect,
    "retention-days": a.retentionDays, "widget-number": a.widgetNumber, "widget-percentage": a.widgetPercentage,
    "widget-text": a.widgetText, "widget-include": a.widgetInclude, "widget-exclude": a.widgetExclude, "widget-office-hours": a.widgetOfficeHours,
    ...Object.fromEntries(replies.map(([key, label]) => [`${key}-text`, a.textOf(label)])),
    ...Object.fromEntries(WEEKDAYS.map((day) => [`weekly-${day}`, a.days[day] ?? day])),
    ...Object.fromEntries(rows.map((row, i) => [`override-${i}-hours`, a.overrideHours(row.date || row.was)]))
  }
  const fields = {
    language: field("language", ["language"]),
    access: field("access", ["access"]),
    linkMode: field("link-mode", ["linkProtection"]),
    replies: Object.fromEntries(replies.map(([key]) => [key, field(`${key}-text`, [`autoReplies.${key}`])])),
    weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, field(`weekly-${day}`, [`officeHours.weekly.${day}`], "weekly-hint")])),
    closedDates: field("closed-dates", ["officeHours.closedDates"], "closed-hint"),
    overrides: rows.map((row, i) => field(`override-${i}-hours`, [`overrides.${i}`, ...new Set([overridePath(row.date), overridePath(row.was)])], "overrides-hint")),
    newOverride: field("override-new-hours", ["overrides.new", ...(form?.["overrides.new.date"] ? [overridePath(form["overrides.new.date"].trim())] : [])], "overrides-hint"),
    followUpName: field("follow-up-name", ["followUp.template.name", "followUp.template"]),
    followUpLanguage: field("follow-up-language", ["followUp.template.language"]),
    followUpButtons: field("follow-up-buttons", ["followUp.template.buttons"], "follow-up-buttons-hint"),
    followUpEnabled: field("follow-up-enabled", ["followUp.enabled"], "follow-up-when"),
    warningText: field("pii-text", ["personalData.text"]),
    personalData: field("pii-detect", ["personalData.detect", "personalData.warnResident", "personalData.maskForAgents"]),
    retention: field("retention-days", ["retention"], "retention-hint"),
    widgetNumber: field("widget-number", ["widget.number"]),
    widgetPercentage: field("widget-percentage", ["widget.percentage"]),
    widgetText: field("widget-text", ["widget.text"]),
    widgetInclude: field("widget-include", ["widget.paths.include"]),
    widgetExclude: field("widget-exclude", ["widget.paths.exclude"]),
    widgetOfficeHours: field("widget-office-hours", ["widget.officeHours", "widget.enabled"])
  }
  const buttons = settings.followUp.template.buttons ?? []
  const retentionDays = settings.retention.messagesDays === null ? "" : String(settings.retention.messagesDays)
  return (
    <section aria-labelledby="settings-title">
      <AdminNav texts={texts} here="settings" />
      <h2 id="settings-title">{texts.settings}</h2>
      {saved ? <p class="notice" role="status">{a.saved}</p> : null}
      {notice === undefined ? null : notice.failed
        ? <p class="alert" role="alert" id="templates-notice">{notice.text}</p>
        : <p class="notice" role="status" id="templates-notice">{notice.text}</p>}
      {problems.length > 0 ? (
        <div class="alert" role="alert" id="problems">
          <p>{a.notSavedFields(problems.length)}</p>
          <ul>{problems.map((p) => {
            const id = shown.get(p)
            const label = id === undefined ? undefined : labels[id]
            const path = p.path === "" ? null : <code>{p.path}</code>
            // The field's own label first (what the admin sees on the form), the setting's path after it.
            const name = label === undefined ? path : <>{label}{path === null ? null : <> ({path})</>}</>
            return <li>{id === undefined ? name : <a href={`#${id}`}>{name}</a>}{name === null ? null : ": "}{p.message}</li>
          })}</ul>
        </div>
      ) : null}
      <nav aria-label={a.sections} class="admin-sections">
        <ul class="views">
          <li><a href="#general">{a.general}</a></li>
          <li><a href="#auto-replies">{a.autoReplies}</a></li>
          <li><a href="#office-hours">{a.officeHours}</a></li>
          <li><a href="#follow-up">{a.followUp}</a></li>
          <li><a href="#resident-safety">{a.safety}</a></li>
          <li><a href="#retention">{a.retention}</a></li>
          <li><a href="#widget">{a.widgetButton}</a></li>
        </ul>
      </nav>
      <form method="post" action="/console/admin/settings">
        {/* Enter in a field saves: the form's default button is its first, so Save comes before "fetch templates". */}
        <button type="submit" hidden tabindex={-1}>{a.save}</button>
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset id="general">
          <legend>{a.general}</legend>
          <label for="language">{a.language}</label>
          <select id="language" name="language" {...fields.language.attrs}>
            <option value="nl" selected={value("language", settings.language) === "nl"}>Nederlands</option>
            <option value="en" selected={value("language", settings.language) === "en"}>English</option>
          </select>
          {fields.language.error}
          <label for="access">{a.access}</label>
          <select id="access" name="access" {...fields.access.attrs}>
            <option value="all" selected={value("access", settings.access) === "all"}>{a.accessAll}</option>
            <option value="team" selected={value("access", settings.access) === "team"}>{a.accessTeam}</option>
          </select>
          {fields.access.error}
        </fieldset>
        <fieldset id="auto-replies">
          <legend>{a.autoReplies}</legend>
          {replies.map(([key, label]) => (
            <div class="reply-setting">
              <p class="check"><input type="checkbox" id={`${key}-enabled`} name={`autoReplies.${key}.enabled`} value="on" checked={checked(`autoReplies.${key}.enabled`, settings.autoReplies[key].enabled)} />
                <label for={`${key}-enabled`}>{label}</label></p>
              <label for={`${key}-text`}>{a.textOf(label)}</label>
              <textarea id={`${key}-text`} name={`autoReplies.${key}.text`} rows={3} maxlength={4096} {...fields.replies[key]!.attrs}>{value(`autoReplies.${key}.text`, settings.autoReplies[key].text)}</textarea>
              {fields.replies[key]!.error}
            </div>
          ))}
        </fieldset>
        <fieldset id="office-hours">
          <legend>{a.officeHours}</legend>
          <p class="hint" id="weekly-hint">{a.weeklyHint}</p>
          {WEEKDAYS.map((day) => (
            <p class="field">
              <label for={`weekly-${day}`}>{a.days[day]}</label>
              <input id={`weekly-${day}`} name={`officeHours.weekly.${day}`} type="text" value={value(`officeHours.weekly.${day}`, slotsText(settings.officeHours.weekly[day]))} {...fields.weekly[day]!.attrs} />
              {fields.weekly[day]!.error}
            </p>
          ))}
          <label for="closed-dates">{a.closedDates}</label>
          <textarea id="closed-dates" name="officeHours.closedDates" rows={3} {...fields.closedDates.attrs}>{value("officeHours.closedDates", settings.officeHours.closedDates.join("\n"))}</textarea>
          <p class="hint" id="closed-hint">{a.closedHint}</p>
          {fields.closedDates.error}
          <fieldset class="overrides">
            <legend>{a.overrides}</legend>
            <p class="hint" id="overrides-hint">{a.overridesHint}</p>
            {rows.length === 0 ? <p class="empty">{a.noOverrides}</p> : null}
            {rows.map((row, i) => (
              <div class="override" data-override={row.was}>
                <input type="hidden" name={`overrides.${i}.was`} value={row.was} />
                <label for={`override-${i}-date`}>{a.overrideDate}</label>
                <input id={`override-${i}-date`} name={`overrides.${i}.date`} type="text" inputmode="numeric" value={row.date} {...fields.overrides[i]!.attrs} />
                <label for={`override-${i}-hours`}>{a.overrideHours(row.was)}</label>
                <input id={`override-${i}-hours`} name={`overrides.${i}.hours`} type="text" value={row.hours} {...fields.overrides[i]!.attrs} />
                {fields.overrides[i]!.error}
                <p class="check"><input type="checkbox" id={`override-${i}-remove`} name={`overrides.${i}.remove`} value="on" checked={row.remove} />
                  <label for={`override-${i}-remove`}>{a.overrideRemove(row.was)}</label></p>
              </div>
            ))}
            <div class="override new">
              <label for="override-new-date">{a.newOverrideDate}</label>
              <input id="override-new-date" name="overrides.new.date" type="text" inputmode="numeric" placeholder="2026-12-24" value={form?.["overrides.new.date"] ?? ""} {...fields.newOverride.attrs} />
              <label for="override-new-hours">{a.newOverrideHours}</label>
              <input id="override-new-hours" name="overrides.new.hours" type="text" value={form?.["overrides.new.hours"] ?? ""} {...fields.newOverride.attrs} />
              {fields.newOverride.error}
            </div>
          </fieldset>
        </fieldset>
        <fieldset id="follow-up">
          <legend>{a.followUp}</legend>
          <p class="check"><input type="checkbox" id="follow-up-enabled" name="followUp.enabled" value="on" checked={checked("followUp.enabled", settings.followUp.enabled)} {...fields.followUpEnabled.attrs} />
            <label for="follow-up-enabled">{a.followUpOn}</label></p>
          <p class="hint" id="follow-up-when">{a.followUpWhen}</p>
          {fields.followUpEnabled.error}
          <label for="follow-up-name">{a.followUpName}</label>
          <input id="follow-up-name" name="followUp.template.name" type="text" autocomplete="off" maxlength={512} value={value("followUp.template.name", settings.followUp.template.name)}
            {...(approved.length === 0 ? {} : { list: "approved-templates" })} {...fields.followUpName.attrs} />
          {approved.length === 0 ? null : (
            <datalist id="approved-templates">{[...new Set(approved.map((t) => t.name))].map((name) => <option value={name} />)}</datalist>
          )}
          {fields.followUpName.error}
          <label for="follow-up-language">{a.followUpLanguage}</label>
          <input id="follow-up-language" name="followUp.template.language" type="text" autocomplete="off" maxlength={16} value={value("followUp.template.language", settings.followUp.template.language)} {...fields.followUpLanguage.attrs} />
          {fields.followUpLanguage.error}
          <label for="follow-up-buttons">{a.followUpButtons}</label>
          <textarea id="follow-up-buttons" name="followUp.template.buttons" rows={3} {...fields.followUpButtons.attrs}>{value("followUp.template.buttons", buttons.join("\n"))}</textarea>
          <p class="hint" id="follow-up-buttons-hint">{a.followUpButtonsHint}</p>
          {fields.followUpButtons.error}
          {approved.length === 0 ? null : (
            <p class="hint" id="approved-templates-list">{a.approvedTemplates}: {approved.map((t) => `${t.name} (${t.language})`).join(", ")}</p>
          )}
          <p><button type="submit" class="button" id="sync-templates" formaction="/console/admin/templates/sync" formnovalidate aria-describedby="sync-templates-hint">{a.syncTemplates}</button></p>
          <p class="hint" id="sync-templates-hint">{a.syncTemplatesHint}</p>
        </fieldset>
        <fieldset id="resident-safety">
          <legend>{a.safety}</legend>
          <p class="check"><input type="checkbox" id="pii-detect" name="personalData.detect" value="on" checked={checked("personalData.detect", settings.personalData.detect)} {...fields.personalData.attrs} />
            <label for="pii-detect">{a.piiDetect}</label></p>
          {fields.personalData.error}
          <p class="check"><input type="checkbox" id="pii-warn" name="personalData.warnResident" value="on" checked={checked("personalData.warnResident", settings.personalData.warnResident)} />
            <label for="pii-warn">{a.piiWarn}</label></p>
          <label for="pii-text">{a.piiText}</label>
          <textarea id="pii-text" name="personalData.text" rows={3} maxlength={4096} {...fields.warningText.attrs}>{value("personalData.text", settings.personalData.text)}</textarea>
          {fields.warningText.error}
          <p class="check"><input type="checkbox" id="pii-mask" name="personalData.maskForAgents" value="on" checked={checked("personalData.maskForAgents", settings.personalData.maskForAgents)} />
            <label for="pii-mask">{a.piiMask}</label></p>
          <label for="link-mode">{a.linkProtection}</label>
          <select id="link-mode" name="linkProtection.mode" {...fields.linkMode.attrs}>
            {(["off", "flag", "neutralize"] as const).map((m) => <option value={m} selected={value("linkProtection.mode", settings.linkProtection.mode) === m}>{a.linkModes[m]}</option>)}
          </select>
          {fields.linkMode.error}
        </fieldset>
        <fieldset id="retention">
          <legend>{a.retention}</legend>
          <label for="retention-days">{a.retentionDays}</label>
          <input id="retention-days" name="retention.messagesDays" type="text" inputmode="numeric" autocomplete="off" value={value("retention.messagesDays", retentionDays)} {...fields.retention.attrs} />
          <p class="hint" id="retention-hint">{a.retentionHint}</p>
          {fields.retention.error}
        </fieldset>
        <fieldset id="widget">
          <legend>{a.widgetButton}</legend>
          <p class="check"><input type="checkbox" id="widget-enabled" name="widget.enabled" value="on" checked={checked("widget.enabled", settings.widget.enabled)} />
            <label for="widget-enabled">{a.widgetOn}</label></p>
          <label for="widget-number">{a.widgetNumber}</label>
          <input id="widget-number" name="widget.number" type="text" inputmode="numeric" autocomplete="off" value={value("widget.number", settings.widget.number)} {...fields.widgetNumber.attrs} />
          {fields.widgetNumber.error}
          <label for="widget-percentage">{a.widgetPercentage}</label>
          <input id="widget-percentage" name="widget.percentage" type="number" min="0" max="100" step="1" value={value("widget.percentage", String(settings.widget.percentage))} {...fields.widgetPercentage.attrs} />
          {fields.widgetPercentage.error}
          <label for="widget-text">{a.widgetText}</label>
          <input id="widget-text" name="widget.text" type="text" maxlength={200} value={value("widget.text", settings.widget.text)} {...fields.widgetText.attrs} />
          {fields.widgetText.error}
          <label for="widget-include">{a.widgetInclude}</label>
          <textarea id="widget-include" name="widget.paths.include" rows={2} {...fields.widgetInclude.attrs}>{value("widget.paths.include", settings.widget.paths.include.join("\n"))}</textarea>
          {fields.widgetInclude.error}
          <label for="widget-exclude">{a.widgetExclude}</label>
          <textarea id="widget-exclude" name="widget.paths.exclude" rows={2} {...fields.widgetExclude.attrs}>{value("widget.paths.exclude", settings.widget.paths.exclude.join("\n"))}</textarea>
          {fields.widgetExclude.error}
          <label for="widget-office-hours">{a.widgetOfficeHours}</label>
          <select id="widget-office-hours" name="widget.officeHours" {...fields.widgetOfficeHours.attrs}>
            {(["ignore", "hide", "show-next-open"] as const).map((m) => <option value={m} selected={value("widget.officeHours", settings.widget.officeHours ?? "ignore") === m}>{a.widgetModes[m]}</option>)}
          </select>
          {fields.widgetOfficeHours.error}
        </fieldset>
        <button type="submit" class="button primary">{a.save}</button>
      </form>
    </section>
  )
}

export function PeoplePage({ texts, csrf, agents, teams, problems, saved }: { texts: ConsoleTexts; csrf: string; agents: ReadonlyArray<Agent>; teams: ReadonlyArray<Team>; problems: ReadonlyArray<Problem>; saved: boolean }) {
  const a = texts.admin
  const teamName = new Map(teams.map((t) => [t.id, t.name]))
  return (
    <section aria-labelledby="people-title">
      <AdminNav texts={texts} here="people" />
      <h2 id="people-title">{a.people}</h2>
      {saved ? <p class="notice" role="status">{a.saved}</p> : null}
      <Problems problems={problems} texts={texts} />
      <table class="people">
        <caption>{a.agents}</caption>
        <thead><tr><th scope="col">{a.name}</th><th scope="col">{texts.email}</th><th scope="col">{a.role}</th><th scope="col">{a.teams}</th><th scope="col">{a.state}</th><th scope="col"><span class="visually-hidden">{a.actions}</span></th></tr></thead>
        <tbody>
          {agents.map((agent) => (
            <tr>
              <th scope="row">{agent.name}</th>
              <td>{agent.email}</td>
              <td>{agent.role}</td>
              <td>{agent.teams.map((t) => teamName.get(t) ?? t).join(", ")}</td>
              <td>{agent.active ? a.active : a.inactive}</td>
              <td>{agent.active ? (
                <form method="post" action={`/console/admin/people/${agent.id}/deactivate`}>
                  <input type="hidden" name="_csrf" value={csrf} />
                  <button type="submit" class="button" aria-label={a.deactivateWho(agent.name)}>{a.deactivate}</button>
                </form>
              ) : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/console/admin/people" class="new-agent">
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset>
          <legend>{a.newAgent}</legend>
          <label for="agent-name">{a.name}</label><input id="agent-name" name="name" required maxlength={200} />
          <label for="agent-email">{texts.email}</label><input id="agent-email" name="email" type="email" required maxlength={254} />
          <label for="agent-role">{a.role}</label>
          <select id="agent-role" name="role"><option value="agent">agent</option><option value="admin">admin</option></select>
          <label for="agent-team">{a.teams}</label>
          <select id="agent-team" name="team"><option value="">{texts.noTeam}</option>{teams.map((t) => <option value={t.id}>{t.name}</option>)}</select>
          <label for="agent-password">{texts.password}</label><input id="agent-password" name="password" type="password" autocomplete="new-password" minlength={12} maxlength={1024} />
          <button type="submit" class="button primary">{a.create}</button>
        </fieldset>
      </form>
      <form method="post" action="/console/admin/teams" class="new-team">
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset>
          <legend>{a.newTeam}</legend>
          <label for="team-name">{a.name}</label><input id="team-name" name="name" required maxlength={200} />
          <button type="submit" class="button">{a.create}</button>
        </fieldset>
      </form>
    </section>
  )
}
