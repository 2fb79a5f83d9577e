// The specialist console: on-call toggle, live flag queue ordered by risk then
// waiting time, a flag's evidence and context, claim, notes, hand-over, resolve;
// below the flags, the talk-now line for specialists.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";
import { helperPanel } from "./talk-now-helpers.js";

const OUTCOMES = ["reached_safe", "referred_emergency", "false_alarm", "no_response", "other"];

function waited(seconds) {
  if (seconds < 60) return t("console.seconds", { n: seconds });
  if (seconds < 3600) return t("console.minutes", { n: Math.floor(seconds / 60) });
  return t("console.hours", { h: Math.floor(seconds / 3600), m: Math.floor((seconds % 3600) / 60) });
}

// A short tone made in the page (no audio file, nothing fetched).
function chime() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.08;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch {
    /* sound is a bonus; the visual cue is always there */
  }
}

// Evidence spans highlighted with <mark>, all text set through textContent.
export function highlighted(text, evidence) {
  const spans = (evidence || []).filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.end > e.start)
    .sort((a, b) => a.start - b.start);
  const out = h("p", { class: "excerpt" });
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    out.append(text.slice(at, span.start), h("mark", { title: span.rule || "", text: text.slice(span.start, span.end) }));
    at = span.end;
  }
  out.append(text.slice(at));
  return out;
}

export async function renderConsole(main) {
  const toggle = h("input", { type: "checkbox", id: "on-call", disabled: true });  // enabled once we know the state
  const note = h("p", { class: "muted", text: t("console.offCallNote") });
  const list = h("ol", { class: "flag-list", "aria-live": "polite" });
  // Talk-now helpers are specialists (and mentors, on their own page); moderators and admins have no line here.
  const helpers = getState().user?.role === "specialist" ? helperPanel() : null;
  clear(main).append(h("section", { class: "page console" },
    h("h1", { text: t("console.title") }),
    h("p", { class: "check" }, toggle, h("label", { for: "on-call", text: t("console.onCall") })),
    note, list, helpers ? helpers.panel : null));

  const status = await api("/api/v1/crisis/oncall");
  toggle.checked = status.on_call;
  toggle.disabled = false;
  note.hidden = status.on_call;
  toggle.addEventListener("change", async () => {
    const result = await api("/api/v1/crisis/oncall", { method: "POST", body: { on_call: toggle.checked } });
    toggle.checked = result.on_call;
    note.hidden = result.on_call;
  });

  async function refresh() {
    const { flags } = await api("/api/v1/crisis/flags");
    clear(list);
    if (!flags.length) list.append(h("li", { class: "muted", text: t("console.empty") }));
    for (const flag of flags) {
      const last = flag.items[flag.items.length - 1] || {};
      list.append(h("li", { class: `flag severity-${flag.severity}`, dataset: { flagId: String(flag.id) } },
        h("div", { class: "flag-head" },
          h("span", { class: "badge", text: t(`console.severity.${flag.severity}`) }),
          h("strong", { text: flag.member.pseudonym }),
          h("span", { class: "muted", text: t("console.waiting", { time: waited(flag.waiting_seconds) }) }),
          flag.claimed_by ? h("span", { class: "muted", text: t("console.heldBy", { name: flag.claimed_by.pseudonym }) }) : null),
        highlighted(last.excerpt || "", last.evidence),
        h("div", { class: "actions" },
          flag.status === "open" ? h("button", { type: "button", class: "btn primary", text: t("console.claim"), onclick: async () => {
            await api(`/api/v1/crisis/flags/${flag.id}/claim`, { method: "POST" });
            location.replace(`#/console/${flag.id}`);
          } }) : null,
          h("a", { class: "btn", href: `#/console/${flag.id}`, text: t("console.open") }))));
    }
  }

  const offs = ["flag_raised", "flag_escalated", "flag_updated", "flag_claimed", "flag_resolved"].map((type) => live.on(type, (frame) => {
    if (type === "flag_raised" || type === "flag_escalated") {
      chime();
      document.body.classList.add("alerting");
      setTimeout(() => document.body.classList.remove("alerting"), 3000);
      announce(t("console.newFlag", { severity: t(`console.severity.${frame.flag.severity}`) }));
    }
    refresh();
  }));
  const timer = setInterval(() => {
    refresh();
    if (helpers) helpers.reload();  // the line is pushed only to helpers marked available
  }, 15000);
  await refresh();
  if (helpers) await helpers.ready;
  main.querySelector(".console").append(await figuresPanel(), await rotaPanel());
  return () => {
    offs.forEach((off) => off());
    clearInterval(timer);
    if (helpers) helpers.stop();
  };
}

export async function renderFlag(main, flagId) {
  const { flag } = await api(`/api/v1/crisis/flags/${flagId}`);
  const section = h("section", { class: "page flag-view" },
    h("a", { href: "#/console", class: "back", text: `← ${t("console.back")}` }),
    h("h1", {}, h("span", { class: "badge", text: t(`console.severity.${flag.severity}`) }), " ", flag.member.pseudonym),
    h("p", { class: "muted", text: `${t("console.waiting", { time: waited(flag.waiting_seconds) })}${flag.claimed_by ? " · " + t("console.heldBy", { name: flag.claimed_by.pseudonym }) : ""}` }));
  section.append(h("h2", { text: t("console.evidence") }));
  for (const item of flag.items) {
    const block = h("article", { class: "flag-item" });
    if (item.context && item.context.length) {
      block.append(h("h3", { text: t("console.context") }),
        h("ul", { class: "context" }, item.context.map((c) => h("li", {}, h("span", { class: "author", text: c.author || "" }), " ", c.body))));
    }
    block.append(highlighted(item.excerpt || "", item.evidence),
      h("p", { class: "muted", text: (item.evidence || []).map((e) => e.rule).filter(Boolean).join(", ") }));
    section.append(block);
  }
  if (flag.safety_plan) {
    const plan = flag.safety_plan;
    section.append(h("h2", { text: t("console.safetyPlan") }), h("dl", {},
      ["warning_signs", "coping_steps", "people_and_places", "reasons_to_keep_going"].flatMap((k) => [h("dt", { text: k.replaceAll("_", " ") }), h("dd", { text: plan[k] })])));
  }
  section.append(h("h2", { text: t("console.notes") }),
    h("ul", { class: "notes" }, flag.notes.map((n) => h("li", {}, h("strong", { text: `${n.author} (${n.kind})` }), " ", n.body))));
  const noteInput = h("textarea", { rows: 2, "aria-label": t("console.notes") });
  section.append(noteInput, h("button", { type: "button", class: "btn", text: t("console.addNote"), onclick: async () => {
    await api(`/api/v1/crisis/flags/${flag.id}/notes`, { method: "POST", body: { body: noteInput.value } });
    renderFlag(main, flagId);
  } }));
  if (flag.status === "open") {
    section.append(h("p", {}, h("button", { type: "button", class: "btn primary", text: t("console.claim"), onclick: async () => {
      await api(`/api/v1/crisis/flags/${flag.id}/claim`, { method: "POST" });
      renderFlag(main, flagId);
    } })));
  }
  if (flag.status === "claimed") {
    section.append(h("p", {}, h("button", { type: "button", class: "btn primary", text: t("console.support"), onclick: async () => {
      const { conversation } = await api(`/api/v1/crisis/flags/${flag.id}/support`, { method: "POST" });
      location.replace(`#/conversations/${conversation.id}`);
    } })));
  }
  if (flag.status !== "resolved") {
    const outcome = h("select", { id: "outcome" }, OUTCOMES.map((o) => h("option", { value: o, text: t(`console.outcome.${o}`) })));
    const reason = h("textarea", { id: "reason", rows: 2, required: true });
    const resolveForm = h("form", { class: "card" },
      h("h2", { text: t("console.resolve") }),
      h("label", { for: "outcome", text: t("console.outcome") }), outcome,
      h("label", { for: "reason", text: t("console.reason") }), reason,
      h("button", { type: "submit", class: "btn primary", text: t("console.resolve") }));
    resolveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api(`/api/v1/crisis/flags/${flag.id}/resolve`, { method: "POST", body: { outcome: outcome.value, note: reason.value } });
      if (result.flag.debrief_prompt) renderDebrief(main, flag.id);
      else location.replace("#/console");
    });
    const to = h("input", { id: "hand-to" });
    const handNote = h("textarea", { id: "hand-note", rows: 2 });
    const handForm = h("form", { class: "card" },
      h("h2", { text: t("console.handOver") }),
      h("label", { for: "hand-to", text: t("console.handTo") }), to,
      h("label", { for: "hand-note", text: t("console.handNote") }), handNote,
      h("button", { type: "submit", class: "btn", text: t("console.handOver") }));
    handForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api(`/api/v1/crisis/flags/${flag.id}/handover`, { method: "POST", body: { to: to.value, note: handNote.value } });
      location.replace("#/console");
    });
    section.append(resolveForm, handForm);
  }
  clear(main).append(section);
}

function renderDebrief(main, flagId) {
  const text = h("textarea", { id: "debrief", rows: 4 });
  const form = h("form", { class: "card" },
    h("h1", { text: t("console.debriefTitle") }),
    h("p", { text: t("console.debrief") }),
    h("label", { for: "debrief", text: t("console.debriefLabel") }), text,
    h("button", { type: "submit", class: "btn primary", text: t("console.debriefSave") }),
    h("a", { href: "#/console", class: "link", text: t("console.debriefSkip") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (text.value.trim()) await api(`/api/v1/crisis/flags/${flagId}/notes`, { method: "POST", body: { body: text.value, kind: "debrief" } });
    location.replace("#/console");
  });
  clear(main).append(form);
  text.focus();
}

function seconds(value) {
  return value === null || value === undefined ? "–" : waited(Math.round(value));
}

async function figuresPanel() {
  const figures = await api("/api/v1/crisis/stats");
  const severities = ["imminent", "high", "concern"];
  return h("section", { class: "card", "aria-labelledby": "figures-title" },
    h("h2", { id: "figures-title", text: t("console.figures") }),
    h("table", { class: "figures" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "" }), severities.map((s) => h("th", { scope: "col", text: t(`console.severity.${s}`) })))),
      h("tbody", {},
        h("tr", {}, h("th", { scope: "row", text: t("console.figure.open") }), severities.map((s) => h("td", { text: String(figures.open[s]) }))),
        h("tr", {}, h("th", { scope: "row", text: t("console.figure.claim") }), severities.map((s) =>
          h("td", { text: `${seconds(figures.time_to_claim[s].median)} / ${seconds(figures.time_to_claim[s].p95)}` }))),
        h("tr", {}, h("th", { scope: "row", text: t("console.figure.reply") }), severities.map((s) =>
          h("td", { text: `${seconds(figures.time_to_first_reply[s].median)} / ${seconds(figures.time_to_first_reply[s].p95)}` }))))),
    h("p", { class: "muted", text: `${t("console.figure.escalations")}: ${figures.escalations}` }));
}

function clock(minute) {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

async function rotaPanel() {
  const { slots } = await api("/api/v1/crisis/rota");
  const days = t("console.days").split(",");
  return h("section", { class: "card", "aria-labelledby": "rota-title" },
    h("h2", { id: "rota-title", text: t("console.rota") }),
    h("ul", { class: "rota" }, slots.map((slot) =>
      h("li", { text: `${days[slot.weekday]} ${clock(slot.start_minute)}–${clock(slot.end_minute)} · ${slot.pseudonym}` }))));
}
