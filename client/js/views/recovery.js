// "My recovery": day counts and milestone moments, the daily check-in with its
// trend chart, goals, accountability partners, early-warning consent, and the
// member's own export and delete. Member text is only ever set as text.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { trendChart } from "./recovery-chart.js";

const ME = "/api/v1/me/recovery";

function section(titleKey, ...children) {
  return h("section", { class: "card recovery-part" }, h("h2", { text: t(titleKey) }), ...children);
}

function errorLine() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

// Runs an API call for a form; shows the server's plain message on failure.
async function attempt(errorEl, fn) {
  errorEl.hidden = true;
  try {
    return await fn();
  } catch (error) {
    errorEl.textContent = error.detail || t("error.generic");
    errorEl.hidden = false;
    return null;
  }
}

function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export async function renderRecovery(main) {
  const zoneLine = h("p", { class: "muted" });
  const counts = h("div", { class: "day-counts" });
  const checkin = h("div");
  const goals = h("div");
  const partners = h("div");
  const warning = h("div");
  clear(main).append(h("div", { class: "page recovery" },
    h("h1", { text: t("recovery.title") }),
    h("p", { class: "muted", text: t("recovery.intro") }), zoneLine,
    section("days.title", counts), section("checkin.title", checkin), section("goals.title", goals),
    section("partners.title", partners), section("warning.title", warning), dataSection()));

  const { profile } = await api(`${ME}/profile`);
  const deviceZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  function showZone(zone) {
    clear(zoneLine).append(t("recovery.zone", { zone }));
    if (deviceZone && deviceZone !== zone) {
      zoneLine.append(" ", h("button", { type: "button", class: "link", text: t("recovery.useDeviceZone", { zone: deviceZone }), onclick: async () => {
        const saved = await api(`${ME}/profile`, { method: "PUT", body: { timezone: deviceZone } });
        // Redraw the day counts first: the zone line changes only once the forms below
        // are fresh, so nothing the member starts typing is wiped by a late redraw.
        await Promise.all([renderCounts(counts), renderCheckIn(checkin)]);
        showZone(saved.profile.timezone);
      } }));
    }
  }
  showZone(profile.timezone);
  await Promise.all([renderCounts(counts), renderCheckIn(checkin), renderGoals(goals), renderPartners(partners), renderWarning(warning)]);
}

// ---- day counts and milestones ----------------------------------------------------

async function renderCounts(box) {
  const { day_counts: list } = await api(`${ME}/day-counts`);
  clear(box);
  if (!list.length) box.append(h("p", { class: "muted", text: t("days.empty") }));
  for (const counter of list) box.append(counterCard(counter, () => renderCounts(box)));
  const label = h("input", { name: "label", maxlength: 60, placeholder: t("days.labelPlaceholder") });
  const start = h("input", { type: "date", name: "start_date", required: true, max: localToday() });
  start.value = localToday();
  const err = errorLine();
  const form = h("form", { class: "inline-form" },
    h("label", { class: "field" }, t("days.label"), label),
    h("label", { class: "field" }, t("days.start"), start),
    h("button", { type: "submit", class: "btn primary", text: t("days.add") }), err);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { start_date: start.value };
    if (label.value.trim()) body.label = label.value.trim();
    if (await attempt(err, () => api(`${ME}/day-counts`, { method: "POST", body }))) renderCounts(box);
  });
  box.append(form);
}

function counterCard(c, refresh) {
  const card = h("article", { class: "day-count", dataset: { id: String(c.id) } },
    h("h3", { text: c.label }),
    h("p", { class: "big-number" }, h("strong", { text: String(c.current_days) }), " ", t("days.current")),
    c.current_days === 0 ? h("p", { text: t("days.dayOne") }) : null,
    h("p", { text: t("days.total", { days: c.total_days }) }),
    c.new_starts ? h("p", { class: "muted", text: t("days.newStarts", { count: c.new_starts }) }) : null,
    h("p", { class: "muted", text: t("days.next", { label: c.next_milestone.label, days: c.next_milestone.days_to_go }) }));
  if (c.celebrate) card.append(milestoneMoment(c, refresh));
  const shared = h("input", { type: "checkbox", checked: c.shared, onchange: async () => {
    await api(`${ME}/day-counts/${c.id}`, { method: "PATCH", body: { shared: shared.checked } });
  } });
  card.append(h("label", { class: "check" }, shared, t("days.shared")));
  const date = h("input", { type: "date", required: true, max: localToday() });
  date.value = localToday();
  const err = errorLine();
  const restart = h("details", { class: "new-start" }, h("summary", { text: t("days.newStart") }),
    h("p", { class: "muted", text: t("days.newStartIntro") }), date,
    h("button", { type: "button", class: "btn", text: t("days.newStartSave"), onclick: async () => {
      if (await attempt(err, () => api(`${ME}/day-counts/${c.id}/starts`, { method: "POST", body: { start_date: date.value } }))) refresh();
    } }), err);
  card.append(restart, h("button", { type: "button", class: "link", text: t("days.remove"), onclick: async () => {
    if (!window.confirm(t("days.confirmRemove"))) return;
    await api(`${ME}/day-counts/${c.id}`, { method: "DELETE" });
    refresh();
  } }));
  return card;
}

function milestoneMoment(c, refresh) {
  const m = c.celebrate;
  const note = h("textarea", { rows: 2, maxlength: 500, "aria-label": t("milestone.note"), placeholder: t("milestone.note") });
  const err = errorLine();
  const box = h("div", { class: "milestone-moment", role: "status" },
    h("p", { class: "milestone-title", text: t("milestone.reached", { label: m.label }) }),
    h("p", { text: t("milestone.cheer") }), note,
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn", text: t("milestone.thanks"), onclick: async () => {
        await api(`${ME}/day-counts/${c.id}/milestones/${m.key}/seen`, { method: "POST" });
        refresh();
      } }),
      h("button", { type: "button", class: "btn primary", text: t("milestone.share"), onclick: async () => {
        const body = note.value.trim() ? { note: note.value.trim() } : {};
        if (await attempt(err, () => api(`${ME}/day-counts/${c.id}/milestones/${m.key}/share`, { method: "POST", body }))) {
          announce(t("milestone.shared"));
          refresh();
        }
      } })), err);
  announce(t("milestone.reached", { label: m.label }));
  return box;
}

// ---- check-in and trend ---------------------------------------------------------------

async function renderCheckIn(box, span = 30) {
  const series = await api(`${ME}/check-ins?days=${span}`);
  clear(box);
  const today = series.check_ins.find((c) => c.day === series.today);
  const moods = h("fieldset", { class: "scale" }, h("legend", { text: `${t("checkin.mood")} (${t("checkin.moodScale")})` }));
  for (let v = 1; v <= 5; v += 1) {
    moods.append(h("label", { class: "chip" }, h("input", { type: "radio", name: "mood", value: v, required: true, checked: today ? today.mood === v : v === 3 }), String(v)));
  }
  const craving = h("input", { type: "range", name: "craving", min: 0, max: 10, step: 1, value: today ? today.craving : 0 });
  const cravingOut = h("output", { text: craving.value });
  craving.addEventListener("input", () => { cravingOut.textContent = craving.value; });
  const sleep = h("input", { type: "number", name: "sleep_hours", min: 0, max: 24, step: 0.5, value: today && today.sleep_hours !== null ? today.sleep_hours : undefined });
  const note = h("textarea", { name: "note", rows: 2, maxlength: 2000 });
  note.value = today ? today.note : "";
  const err = errorLine();
  const form = h("form", { class: "checkin-form" }, moods,
    h("label", { class: "field" }, `${t("checkin.craving")} (${t("checkin.cravingScale")})`, h("span", { class: "row" }, craving, cravingOut)),
    h("label", { class: "field" }, t("checkin.sleep"), sleep),
    h("label", { class: "field" }, t("checkin.note"), note),
    h("button", { type: "submit", class: "btn primary", text: t("checkin.save") }), err);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { mood: Number(form.querySelector('input[name="mood"]:checked').value), craving: Number(craving.value) };
    if (sleep.value !== "") body.sleep_hours = Number(sleep.value);
    if (note.value.trim()) body.note = note.value.trim();
    if (await attempt(err, () => api(`${ME}/check-ins`, { method: "POST", body }))) {
      announce(t("checkin.saved"));
      renderCheckIn(box, span);
    }
  });
  const ranges = h("div", { class: "row", role: "group", "aria-label": t("checkin.range") },
    ...[7, 30, 90].map((d) => h("button", { type: "button", class: `chip${d === span ? " selected" : ""}`, "aria-pressed": String(d === span), text: String(d), onclick: () => renderCheckIn(box, d) })));
  box.append(form,
    h("p", { class: "streak", text: t("checkin.streak", { days: series.streak }) }),
    h("h3", { text: t("checkin.trend", { days: span }) }), ranges,
    series.check_ins.length
      ? trendChart(series, { title: t("checkin.chartLabel", { days: span }), mood: t("checkin.moodLine"), craving: t("checkin.cravingLine") })
      : h("p", { class: "muted", text: t("checkin.none") }));
}

// ---- goals --------------------------------------------------------------------------------

async function renderGoals(box) {
  const { goals } = await api(`${ME}/goals`);
  clear(box);
  if (!goals.length) box.append(h("p", { class: "muted", text: t("goals.empty") }));
  const list = h("ul", { class: "goal-list" });
  for (const goal of goals) list.append(goalItem(goal, () => renderGoals(box)));
  const title = h("input", { name: "title", maxlength: 120, required: true, "aria-label": t("goals.new"), placeholder: t("goals.new") });
  const shared = h("input", { type: "checkbox" });
  const err = errorLine();
  const form = h("form", { class: "inline-form" }, title, h("label", { class: "check" }, shared, t("goals.shared")),
    h("button", { type: "submit", class: "btn primary", text: t("goals.add") }), err);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(err, () => api(`${ME}/goals`, { method: "POST", body: { title: title.value, shared: shared.checked } }))) renderGoals(box);
  });
  box.append(list, form);
}

function goalItem(goal, refresh, readOnly = false) {
  const patch = (body) => api(`${ME}/goals/${goal.id}`, { method: "PATCH", body }).then(refresh);
  const steps = h("ul", { class: "steps" });
  for (const step of goal.steps) {
    const box = h("input", { type: "checkbox", checked: step.done, disabled: readOnly, onchange: () =>
      api(`${ME}/goals/${goal.id}/steps/${step.id}`, { method: "PATCH", body: { done: box.checked } }).then(refresh) });
    steps.append(h("li", {}, h("label", { class: "check" }, box, step.title)));
  }
  const item = h("li", { class: `goal${goal.done ? " done" : ""}` },
    h("h3", { text: goal.title }),
    h("progress", { max: 100, value: goal.progress, "aria-label": t("goals.progress", { percent: goal.progress }) }),
    h("span", { class: "muted", text: ` ${t("goals.progress", { percent: goal.progress })}` }), steps);
  if (readOnly) return item;
  const stepTitle = h("input", { maxlength: 120, "aria-label": t("goals.step"), placeholder: t("goals.step") });
  item.append(
    h("form", { class: "inline-form", onsubmit: (event) => {
      event.preventDefault();
      if (stepTitle.value.trim()) api(`${ME}/goals/${goal.id}/steps`, { method: "POST", body: { title: stepTitle.value } }).then(refresh);
    } }, stepTitle, h("button", { type: "submit", class: "btn", text: t("goals.addStep") })),
    h("label", { class: "check" }, h("input", { type: "checkbox", checked: goal.shared, onchange: (e) => patch({ shared: e.target.checked }) }), t("goals.shared")),
    h("label", { class: "check" }, h("input", { type: "checkbox", checked: goal.done, onchange: (e) => patch({ done: e.target.checked }) }), t("goals.done")),
    h("button", { type: "button", class: "link", text: t("goals.remove"), onclick: () => api(`${ME}/goals/${goal.id}`, { method: "DELETE" }).then(refresh) }));
  return item;
}

// ---- partners -----------------------------------------------------------------------------

async function renderPartners(box) {
  const { partners } = await api(`${ME}/partners`);
  clear(box).append(h("p", { class: "muted", text: t("partners.intro") }));
  if (!partners.length) box.append(h("p", { class: "muted", text: t("partners.empty") }));
  const refresh = () => renderPartners(box);
  for (const p of partners) {
    const name = p.partner ? p.partner.pseudonym : "…";
    const row = h("div", { class: "partner" }, h("strong", { text: name }));
    const end = h("button", { type: "button", class: "link", onclick: () => api(`${ME}/partners/${p.id}`, { method: "DELETE" }).then(refresh) });
    if (p.status === "pending" && p.requested_by_me) {
      row.append(" ", h("span", { class: "muted", text: t("partners.pending") }));
      end.textContent = t("partners.decline");
    } else if (p.status === "pending") {
      row.append(" ", t("partners.wantsYou"), " ",
        h("button", { type: "button", class: "btn", text: t("partners.accept"), onclick: () => api(`${ME}/partners/${p.id}/accept`, { method: "POST" }).then(refresh) }));
      end.textContent = t("partners.decline");
    } else {
      const view = h("div", { class: "partner-view", hidden: true });
      const toggle = h("button", { type: "button", class: "link", text: t("partners.view"), onclick: async () => {
        if (!view.hidden) { view.hidden = true; toggle.textContent = t("partners.view"); return; }
        const data = await api(`${ME}/partners/${p.id}/view?days=30`);
        clear(view).append(
          ...data.day_counts.map((c) => h("p", { text: `${c.label}: ${c.current_days} ${t("days.current")}` })),
          data.check_ins.check_ins.length
            ? trendChart(data.check_ins, { title: t("checkin.chartLabel", { days: 30 }), mood: t("checkin.moodLine"), craving: t("checkin.cravingLine") })
            : h("p", { class: "muted", text: t("checkin.none") }),
          h("ul", { class: "goal-list" }, ...data.goals.map((g) => goalItem(g, () => {}, true))));
        view.hidden = false;
        toggle.textContent = t("partners.hide");
      } });
      row.append(" ", toggle);
      end.textContent = t("partners.stop");
      row.append(" ", end, view);
      box.append(row);
      continue;
    }
    row.append(" ", end);
    box.append(row);
  }
  const pseudonym = h("input", { maxlength: 64, required: true, "aria-label": t("partners.pseudonym"), placeholder: t("partners.pseudonym") });
  const err = errorLine();
  const form = h("form", { class: "inline-form" }, pseudonym, h("button", { type: "submit", class: "btn", text: t("partners.ask") }), err);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(err, () => api(`${ME}/partners`, { method: "POST", body: { pseudonym: pseudonym.value.trim() } }))) refresh();
  });
  box.append(form);
}

// ---- early warning --------------------------------------------------------------------------

async function renderWarning(box) {
  const [settings, received] = await Promise.all([api(`${ME}/early-warning`), api(`${ME}/notices`)]);
  clear(box).append(h("p", { class: "muted", text: t("warning.intro") }));
  const refresh = () => renderWarning(box);
  for (const c of settings.consents) {
    box.append(h("p", {}, h("strong", { text: c.recipient.pseudonym }), c.share_scores ? ` (${t("warning.scores")})` : "", " ",
      h("button", { type: "button", class: "link", text: t("warning.remove"), onclick: () => api(`${ME}/early-warning/consents/${c.id}`, { method: "DELETE" }).then(refresh) })));
  }
  const pseudonym = h("input", { maxlength: 64, required: true, "aria-label": t("warning.pseudonym"), placeholder: t("warning.pseudonym") });
  const scores = h("input", { type: "checkbox" });
  const err = errorLine();
  const form = h("form", { class: "inline-form" }, pseudonym, h("label", { class: "check" }, scores, t("warning.scores")),
    h("button", { type: "submit", class: "btn", text: t("warning.allow") }), err);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { pseudonym: pseudonym.value.trim(), share_scores: scores.checked };
    if (await attempt(err, () => api(`${ME}/early-warning/consents`, { method: "POST", body }))) refresh();
  });
  box.append(form, h("h3", { text: t("warning.shared") }));
  if (!settings.shared.length) box.append(h("p", { class: "muted", text: t("warning.nothing") }));
  for (const n of settings.shared) box.append(noticeItem(n, n.recipient ? n.recipient.pseudonym : ""));
  if (received.notices.length) {
    box.append(h("h3", { text: t("warning.received") }));
    for (const n of received.notices) box.append(noticeItem(n, n.about ? n.about.pseudonym : ""));
  }
}

function noticeItem(n, who) {
  const scores = n.details && n.details.check_ins ? n.details.check_ins.map((c) => `${c.day}: ${t("checkin.moodLine")} ${c.mood}, ${t("checkin.cravingLine")} ${c.craving}`) : [];
  return h("blockquote", { class: "notice-item" },
    h("p", {}, h("strong", { text: who }), " · ", h("time", { datetime: n.created_at, text: new Date(n.created_at).toLocaleString() })),
    h("p", { text: n.body }), ...scores.map((line) => h("p", { class: "muted", text: line })));
}

// ---- export and delete ------------------------------------------------------------------------

function dataSection() {
  return section("data.title",
    h("p", {}, h("a", { href: `${ME}/export`, download: "hearth-recovery.json", text: t("data.export") })),
    h("button", { type: "button", class: "btn danger", text: t("data.delete"), onclick: async () => {
      if (!window.confirm(t("data.confirmDelete"))) return;
      await api(ME, { method: "DELETE" });
      announce(t("data.deleted"));
      location.reload();
    } }));
}
