// The agent console's own script (no framework): keyboard shortcuts, the help screen, the
// command palette (Ctrl+K), Ctrl+Enter to send, and forms reset after a successful action.
// htmx does the requests and the live updates; this file never builds HTML from strings.
(function () {
  "use strict"
  var $ = function (selector, root) { return (root || document).querySelector(selector) }
  var $$ = function (selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)) }

  function typing(target) {
    var tag = target && target.tagName
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)
  }
  function openDialog(id) {
    var dialog = document.getElementById(id)
    if (!dialog || dialog.open) return
    dialog.showModal()
    if (id === "palette") { var input = $("#palette-input"); input.value = ""; renderPalette(""); input.focus() }
  }
  function conversationLinks() { return $$(".conversations a[data-conversation]") }
  function move(step) {
    var links = conversationLinks()
    if (links.length === 0) return
    var current = links.findIndex(function (a) { return a.getAttribute("aria-current") === "page" })
    var focused = links.indexOf(document.activeElement)
    var from = focused >= 0 ? focused : current
    var next = from < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, from + step))
    links[next].click()
  }
  function focusField(selector) { var el = $(selector); if (el) { el.focus(); return true } return false }

  // ---- the command palette: every link and button of the page that says what it does
  var selected = 0
  function commands() {
    var list = []
    $$(".views a, .conversations a, [data-command]").forEach(function (el) {
      var label = (el.getAttribute("data-command") || el.textContent || "").replace(/\s+/g, " ").trim()
      if (label) list.push({ label: label, run: function () { el.focus(); el.click() } })
    })
    list.push({ label: (document.documentElement.lang === "en" ? "Reply" : "Antwoord"), run: function () { focusField("#reply-text") } })
    $$(".top-actions a, .top-actions button").forEach(function (el) {
      if (el.getAttribute("data-open-dialog") === "palette") return
      list.push({ label: el.textContent.trim(), run: function () { el.click() } })
    })
    return list
  }
  var shown = []
  function renderPalette(query) {
    var q = query.toLowerCase()
    shown = commands().filter(function (c) { return c.label.toLowerCase().indexOf(q) >= 0 }).slice(0, 30)
    selected = 0
    var options = $("#palette-options")
    options.textContent = ""
    shown.forEach(function (c, i) {
      var li = document.createElement("li")
      li.id = "palette-option-" + i
      li.setAttribute("role", "option")
      li.setAttribute("aria-selected", i === selected ? "true" : "false")
      li.textContent = c.label
      li.addEventListener("click", function () { runCommand(i) })
      options.appendChild(li)
    })
    $("#palette-input").setAttribute("aria-activedescendant", shown.length > 0 ? "palette-option-0" : "")
  }
  function select(i) {
    var items = $$("#palette-options li")
    if (items.length === 0) return
    selected = (i + items.length) % items.length
    items.forEach(function (li, j) { li.setAttribute("aria-selected", j === selected ? "true" : "false") })
    items[selected].scrollIntoView({ block: "nearest" })
    $("#palette-input").setAttribute("aria-activedescendant", items[selected].id)
  }
  function runCommand(i) {
    var command = shown[i]
    $("#palette").close()
    if (command) command.run()
  }

  // The template picker: one field per {{n}} of the chosen template (the others hidden and not
  // sent), and the template's text beside it so the agent sees what each place means.
  function syncTemplate(select) {
    var option = select.options[select.selectedIndex]
    var count = Number(option ? option.getAttribute("data-parameters") : 0) || 0
    $$("[data-template-parameter]", select.form).forEach(function (field) {
      var on = Number(field.getAttribute("data-template-parameter")) <= count
      var input = $("input", field)
      field.hidden = !on
      input.disabled = !on
      input.required = on
    })
    var text = $("[data-template-text]", select.form)
    if (text) text.textContent = option ? option.getAttribute("data-text") || "" : ""
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.matches && e.target.matches("[data-template-select]")) syncTemplate(e.target)
  })

  document.addEventListener("DOMContentLoaded", function () {
    $$("[data-template-select]").forEach(syncTemplate)
    $$("[data-open-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { openDialog(button.getAttribute("data-open-dialog")) })
    })
    var input = $("#palette-input")
    if (input) {
      input.addEventListener("input", function () { renderPalette(input.value) })
      input.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1) }
        else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1) }
        else if (e.key === "Enter") { e.preventDefault(); runCommand(selected) }
      })
    }
    // A canned response goes into the reply box at the cursor; the agent reads it over and sends.
    document.addEventListener("click", function (e) {
      var button = e.target && e.target.closest ? e.target.closest("[data-insert-canned]") : null
      if (!button) return
      var choice = $("#canned-choice"), reply = $("#reply-text")
      if (!choice || !reply) return
      var option = choice.options[choice.selectedIndex]
      var text = option ? option.getAttribute("data-text") || "" : ""
      var start = reply.selectionStart || 0, end = reply.selectionEnd || 0
      reply.value = reply.value.slice(0, start) + text + reply.value.slice(end)
      reply.focus()
      reply.setSelectionRange(start + text.length, start + text.length)
    })
    // Back on a conversation page: the agent continues in the list where they were.
    var current = $(".conversations a[aria-current='page']")
    if (current && !$("[autofocus]")) current.focus({ preventScroll: false })
  })

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K")) { e.preventDefault(); openDialog("palette"); return }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target && e.target.form) {
      e.preventDefault()
      e.target.form.requestSubmit()
      return
    }
    // Escape in a field hands the keys back to the shortcuts (focus on the main pane).
    if (e.key === "Escape" && typing(e.target) && !$("dialog[open]")) { var main = $("#main"); if (main) main.focus(); return }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || $("dialog[open]")) return
    switch (e.key) {
      case "?": e.preventDefault(); openDialog("help"); break
      case "j": e.preventDefault(); move(1); break
      case "k": e.preventDefault(); move(-1); break
      case "r": if (focusField("#reply-text") || focusField("#template-name")) e.preventDefault(); break
      case "t": if (focusField("#assign-team")) e.preventDefault(); break
      case "n": if (focusField("#note-text")) e.preventDefault(); break
      case "a": { var me = $("[data-shortcut='assign']"); if (me) { e.preventDefault(); me.click() } break }
      case "c": { var close = $("[data-shortcut='close']"); if (close) { e.preventDefault(); close.click() } break }
    }
  })

  // A successful action empties its form and keeps the focus in it, ready for the next one. A
  // refusal (4xx, shown in the answer's place) keeps what the agent typed.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt
    if (!form || form.tagName !== "FORM" || !form.hasAttribute("data-reset-on-success")) return
    if (e.detail.successful && e.detail.xhr && e.detail.xhr.status >= 200 && e.detail.xhr.status < 300) {
      form.reset()
      $$("[data-template-select]", form).forEach(syncTemplate)
      var first = form.querySelector("textarea, input:not([type=hidden]), select")
      if (first) first.focus()
    }
  })
})()
