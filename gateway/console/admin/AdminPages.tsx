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
      <ul>{problems.map((p) => <li><code>{p.path || "—"}</code>: {p.message}</li>)}</ul>
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

const slotsText = (slots: ReadonlyArray<{ open: string; close: string }>) => slots.map((s) => `${s.open}-${s.close}`).join(", ")

export function SettingsPage({ texts, csrf, settings, problems, saved }: { texts: ConsoleTexts; csrf: string; settings: SettingsDocument; problems: ReadonlyArray<Problem>; saved: boolean }) {
  const a = texts.admin
  const replies = [["outOfHours", a.outOfHours], ["receipt", a.receipt], ["firstContact", a.firstContact]] as const
  return (
    <section aria-labelledby="settings-title">
      <AdminNav texts={texts} here="settings" />
      <h2 id="settings-title">{texts.settings}</h2>
      {saved ? <p class="notice" role="status">{a.saved}</p> : null}
      <Problems problems={problems} texts={texts} />
      <form method="post" action="/console/admin/settings">
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset>
          <legend>{a.general}</legend>
          <label for="language">{a.language}</label>
          <select id="language" name="language">
            <option value="nl" selected={settings.language === "nl"}>Nederlands</option>
            <option value="en" selected={settings.language === "en"}>English</option>
          </select>
          <label for="access">{a.access}</label>
          <select id="access" name="access">
            <option value="all" selected={settings.access === "all"}>{a.accessAll}</option>
            <option value="team" selected={settings.access === "team"}>{a.accessTeam}</option>
          </select>
          <label for="link-mode">{a.linkProtection}</label>
          <select id="link-mode" name="linkProtection.mode">
            {(["off", "flag", "neutralize"] as const).map((m) => <option value={m} selected={settings.linkProtection.mode === m}>{a.linkModes[m]}</option>)}
          </select>
        </fieldset>
        <fieldset>
          <legend>{a.autoReplies}</legend>
          {replies.map(([key, label]) => (
            <div class="reply-setting">
              <p class="check"><input type="checkbox" id={`${key}-enabled`} name={`autoReplies.${key}.enabled`} value="on" checked={settings.autoReplies[key].enabled} />
                <label for={`${key}-enabled`}>{label}</label></p>
              <label for={`${key}-text`}>{a.textOf(label)}</label>
              <textarea id={`${key}-text`} name={`autoReplies.${key}.text`} rows={3} maxlength={4096}>{settings.autoReplies[key].text}</textarea>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>{a.officeHours}</legend>
          <p class="hint" id="weekly-hint">{a.weeklyHint}</p>
          {WEEKDAYS.map((day) => (
            <p class="field">
              <label for={`weekly-${day}`}>{a.days[day]}</label>
              <input id={`weekly-${day}`} name={`officeHours.weekly.${day}`} type="text" value={slotsText(settings.officeHours.weekly[day])} aria-describedby="weekly-hint" />
            </p>
          ))}
          <label for="closed-dates">{a.closedDates}</label>
          <textarea id="closed-dates" name="officeHours.closedDates" rows={3} aria-describedby="closed-hint">{settings.officeHours.closedDates.join("\n")}</textarea>
          <p class="hint" id="closed-hint">{a.closedHint}</p>
        </fieldset>
        <fieldset>
          <legend>{a.widgetButton}</legend>
          <p class="check"><input type="checkbox" id="widget-enabled" name="widget.enabled" value="on" checked={settings.widget.enabled} />
            <label for="widget-enabled">{a.widgetOn}</label></p>
          <label for="widget-number">{a.widgetNumber}</label>
          <input id="widget-number" name="widget.number" type="text" inputmode="numeric" autocomplete="off" value={settings.widget.number} />
          <label for="widget-percentage">{a.widgetPercentage}</label>
          <input id="widget-percentage" name="widget.percentage" type="number" min="0" max="100" step="1" value={String(settings.widget.percentage)} />
          <label for="widget-text">{a.widgetText}</label>
          <input id="widget-text" name="widget.text" type="text" maxlength={200} value={settings.widget.text} />
          <label for="widget-include">{a.widgetInclude}</label>
          <textarea id="widget-include" name="widget.paths.include" rows={2}>{settings.widget.paths.include.join("\n")}</textarea>
          <label for="widget-exclude">{a.widgetExclude}</label>
          <textarea id="widget-exclude" name="widget.paths.exclude" rows={2}>{settings.widget.paths.exclude.join("\n")}</textarea>
          <label for="widget-office-hours">{a.widgetOfficeHours}</label>
          <select id="widget-office-hours" name="widget.officeHours">
            {(["ignore", "hide", "show-next-open"] as const).map((m) => <option value={m} selected={(settings.widget.officeHours ?? "ignore") === m}>{a.widgetModes[m]}</option>)}
          </select>
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
