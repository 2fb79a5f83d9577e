// The moderators' side: the review queue (live), a case with its context and
// actions, appeals, room hosts and pauses, watched words and the audit log.
// Member-written text is only ever set with textContent.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";

const ACTIONS = ["dismiss", "hide", "redact", "warn", "mute", "suspend", "ban", "lock", "pause", "unhide"];
const HOST_ACTIONS = ["dismiss", "hide", "redact", "warn", "mute", "pause"];
const REASONS = ["harassment", "drugs", "identifying", "spam", "other", "duplicate", "link", "watched_word", "drug_sales"];
const isSite = () => ["moderator", "admin"].includes(getState().user?.role);

function subnav() {
  const links = [["#/moderation", "mod.title"], ["#/moderation/appeals", "mod.appeals"], ["#/moderation/rooms", "mod.rooms"]];
  if (getState().user?.role === "admin") links.push(["#/moderation/words", "mod.words"], ["#/moderation/audit", "mod.audit"]);
  return h("nav", { class: "subnav", "aria-label": t("mod.title") }, links.map(([href, key]) => h("a", { href, text: t(key) })));
}

function select(name, options, value, label) {
  const el = h("select", { name, "aria-label": label }, options.map(([v, text]) => h("option", { value: v, text })));
  el.value = value;
  return el;
}

// Report reasons and automatic-flag kinds in words; a code the catalogue lacks shows as it is.
const FLAG_KINDS = ["drug_sales", "duplicate", "link", "watched_word", "identifying"];
const REPORT_REASONS = ["harassment", "drugs", "identifying", "spam", "other"];
const reasonWord = (r) => REPORT_REASONS.includes(r) ? t(`report.reason.${r}`) : FLAG_KINDS.includes(r) ? t(`mod.flag.${r}`) : r;
const reasonWords = (reasons) => reasons.map(reasonWord).join(", ");
const TARGETS = ["message", "post", "member"];
const PLACES = ["room", "conversation", "forum", "profile"];
const targetWords = (kind) => TARGETS.includes(kind) ? t(`mod.target.${kind}`) : kind;
const placeWords = (kind) => PLACES.includes(kind) ? t(`mod.place.${kind}`) : kind;

function caseRow(found, reload) {
  const claim = found.status === "open"
    ? h("button", { type: "button", class: "btn", text: t("mod.claim"), onclick: async () => {
      try { await api(`/api/v1/moderation/cases/${found.id}/claim`, { method: "POST" }); } catch (error) { announce(error.message); }
      reload();
    } }) : null;
  return h("li", { class: `case severity-${found.severity}`, dataset: { id: String(found.id) } },
    h("div", { class: "meta" },
      h("strong", { text: reasonWords(found.reasons) }),
      h("span", { text: ` · ${targetWords(found.target.kind)} · ${placeWords(found.place.kind)}` }),
      found.report_count ? h("span", { text: ` · ${t("mod.reports", { count: found.report_count })}` }) : null,
      found.tier === "host" ? h("span", { class: "muted", text: ` · ${t("mod.hostTier")}` }) : null,
      found.claimed_by ? h("span", { class: "muted", text: ` · ${t("mod.heldBy", { name: found.claimed_by.pseudonym })}` }) : null),
    h("p", { class: "excerpt", text: found.excerpt }),
    h("div", { class: "actions" }, claim, h("a", { href: `#/moderation/cases/${found.id}`, class: "btn", text: t("mod.open") })));
}

export async function renderQueue(main) {
  const list = h("ol", { class: "cases", "aria-live": "polite" });
  const status = select("status", ["active", "open", "claimed", "resolved"].map((s) => [s, t(`mod.status.${s}`)]), "active", t("mod.filter.status"));
  const source = select("source", [["", t("mod.any")], ["report", t("mod.source.report")], ["auto", t("mod.source.auto")]], "", t("mod.filter.source"));
  const reason = select("reason", [["", t("mod.any")], ...REASONS.map((r) => [r, reasonWord(r)])], "", t("mod.filter.reason"));
  clear(main).append(h("section", { class: "moderation", "aria-labelledby": "mod-title" }, subnav(),
    h("h1", { id: "mod-title", text: t("mod.title") }), h("p", { class: "muted", text: t("mod.intro") }),
    h("div", { class: "filters" }, status, source, reason), list));
  async function load() {
    const query = new URLSearchParams({ status: status.value });
    if (source.value) query.set("source", source.value);
    if (reason.value) query.set("reason", reason.value);
    const { cases } = await api(`/api/v1/moderation/cases?${query}`);
    clear(list).append(...(cases.length ? cases.map((c) => caseRow(c, load)) : [h("li", { class: "muted", text: t("mod.empty") })]));
  }
  for (const el of [status, source, reason]) el.addEventListener("change", load);
  await load();
  const offs = ["case_opened", "case_updated", "case_resolved", "case_escalated"].map((type) => live.on(type, (frame) => {
    if (type === "case_opened") announce(t("mod.newCase"));
    load();
  }));
  return () => offs.forEach((off) => off());
}

function lines(title, items, render) {
  if (!items || !items.length) return null;
  return h("section", {}, h("h2", { text: title }), h("ul", {}, items.map(render)));
}

export async function renderCase(main, caseId) {
  const section = h("section", { class: "moderation case-view" });
  clear(main).append(section);
  async function load() {
    const { case: found } = await api(`/api/v1/moderation/cases/${caseId}`);
    const item = found.item || found.snapshot?.item || {};
    const privateCopy = found.snapshot?.private;
    const allowed = isSite() ? ACTIONS : HOST_ACTIONS;
    const action = select("action", allowed.map((a) => [a, t(`mod.action.${a}`)]), "dismiss", t("mod.action"));
    const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1000, "aria-label": t("mod.reason"), placeholder: t("mod.reason") });
    const minutes = h("input", { name: "minutes", type: "number", min: 1, value: 60, "aria-label": t("mod.minutes") });
    const scope = select("scope", [["room", t("mod.scope.room")], ["everywhere", t("mod.scope.everywhere")]], found.place.kind === "room" ? "room" : "everywhere", t("mod.scope"));
    const resolve = h("input", { type: "checkbox", name: "resolve", checked: true });
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "act-form", "aria-label": t("mod.act") }, action, reason,
      h("label", { class: "check" }, t("mod.minutes"), " ", minutes), scope, h("label", { class: "check" }, resolve, " ", t("mod.resolve")),
      error, h("button", { type: "submit", class: "btn primary", text: t("mod.act") }));
    const timed = () => { const k = action.value; minutes.parentElement.hidden = !["mute", "suspend", "pause"].includes(k); scope.hidden = k !== "mute"; };
    action.addEventListener("change", timed);
    timed();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { action: action.value, reason: reason.value.trim() || undefined, resolve: resolve.checked };
      if (["mute", "suspend", "pause"].includes(action.value)) body.minutes = Number(minutes.value);
      if (action.value === "mute") body.scope = scope.value;
      try {
        await api(`/api/v1/moderation/cases/${caseId}/actions`, { method: "POST", body });
        announce(t("mod.done"));
        await load();
      } catch (failure) {
        error.textContent = failure.message || t("error.generic");
        error.hidden = false;
      }
    });
    const note = h("textarea", { rows: 2, maxlength: 4000, "aria-label": t("mod.addNote") });
    const notes = isSite() && found.target.member.id ? h("section", {}, h("h2", { text: t("mod.notes") }),
      h("ul", {}, found.notes.map((n) => h("li", {}, h("span", { text: n.body }), h("span", { class: "muted", text: ` — ${n.author}` })))),
      h("form", { class: "note-form", onsubmit: async (event) => {
        event.preventDefault();
        await api(`/api/v1/moderation/members/${found.target.member.id}/notes`, { method: "POST", body: { body: note.value } });
        await load();
      } }, note, h("button", { type: "submit", class: "btn", text: t("mod.addNote") }))) : null;
    const mine = found.claimed_by?.id === getState().user?.id;
    const holder = mine && found.status === "claimed"
      ? h("button", { type: "button", class: "link", text: t("mod.release"), onclick: async () => {
        await api(`/api/v1/moderation/cases/${caseId}/release`, { method: "POST" });
        await load();
      } }) : null;
    const take = found.status === "open"
      ? h("button", { type: "button", class: "btn", text: t("mod.claim"), onclick: async () => {
        try { await api(`/api/v1/moderation/cases/${caseId}/claim`, { method: "POST" }); } catch (failure) { announce(failure.message); }
        await load();
      } }) : null;
    const state = [t(`mod.status.${found.status}`)];
    if (found.status === "claimed" && found.claimed_by) state.push(mine ? t("mod.heldByYou") : t("mod.heldBy", { name: found.claimed_by.pseudonym }));
    if (found.outcome) state.push(t(`mod.action.${found.outcome}`));
    // DOM append would write a missing part as the word "null": only the parts this case has.
    clear(section).append(...[subnav(),
      h("a", { href: "#/moderation", class: "back", text: `← ${t("mod.back")}` }),
      h("h1", { text: `${reasonWords(found.reasons)} · ${found.target.member.pseudonym || ""}` }),
      h("p", { class: "muted case-status", text: state.join(" · ") }), take, holder,
      h("section", {}, h("h2", { text: t("mod.item") }),
        privateCopy ? h("p", { class: "notice", text: t("mod.privateCopy") }) : null,
        h("p", { class: "body item-body", text: item.body ?? "" }),
        item.hidden ? h("p", { class: "muted", text: t("mod.action.hide") }) : null),
      lines(t("mod.context"), found.context, (m) => h("li", {}, h("strong", { text: `${m.author ?? "—"}: ` }), h("span", { text: m.body }))),
      lines(t("mod.findings"), found.findings, (f) => h("li", { text: `${f.kind}: ${f.detail}` })),
      lines(t("mod.reportList"), found.reports, (r) => h("li", {}, h("span", { text: t(`report.reason.${r.reason}`) }),
        r.text ? h("span", { text: ` — ${r.text}` }) : null, r.reporter ? h("span", { class: "muted", text: ` (${r.reporter})` }) : null)),
      lines(t("mod.prior"), found.prior_actions, (a) => h("li", { text: `${a.kind} · ${a.reason} · ${a.by} · ${new Date(a.created_at).toLocaleDateString()}` })),
      notes, found.status === "resolved" ? null : form].filter(Boolean));
  }
  await load();
}

export async function renderAppeals(main) {
  const list = h("ul", { class: "appeals", "aria-live": "polite" });
  const status = select("status", ["open", "upheld", "overturned"].map((s) => [s, t(`mod.appealStatus.${s}`)]), "open", t("mod.filter.status"));
  const done = h("p", { class: "notice", role: "status", hidden: true });
  clear(main).append(h("section", { class: "moderation" }, subnav(), h("h1", { text: t("mod.appeals") }),
    h("p", { class: "muted", text: t("mod.appealsIntro") }), h("div", { class: "filters" }, status), done, list));
  async function load() {
    const { appeals } = await api(`/api/v1/moderation/appeals?status=${status.value}`);
    clear(list).append(...(appeals.length ? appeals.map((a) => {
      const note = h("textarea", { rows: 2, maxlength: 2000, required: true, "aria-label": t("mod.decisionNote"), placeholder: t("mod.decisionNote") });
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      const decide = (decision) => async () => {
        if (!note.value.trim()) {
          error.textContent = t("mod.decisionNoteNeeded");
          error.hidden = false;
          note.focus();
          return;
        }
        try {
          await api(`/api/v1/moderation/appeals/${a.id}/decide`, { method: "POST", body: { decision, note: note.value } });
          done.textContent = t(decision === "upheld" ? "mod.appealUpheld" : "mod.appealOverturned");
          done.hidden = false;
          await load();
        } catch (failure) {
          error.textContent = failure.message || t("error.generic");
          error.hidden = false;
        }
      };
      const about = h("p", {}, h("strong", { text: t(`mod.action.${a.action.kind}`) }),
        h("span", { text: ` · ${a.action.member} · ${a.action.reason}` }),
        h("span", { class: "muted", text: ` · ${t("mod.appealBy", { name: a.action.by })}` }));
      let footer;
      if (a.status !== "open") footer = h("p", { class: "muted", text: `${t(`mod.appealStatus.${a.status}`)} · ${a.decision_note ?? ""}` });
      else if (a.yours_to_decide) {
        footer = h("div", { class: "decide" }, note, error,
          h("button", { type: "button", class: "btn", text: t("mod.uphold"), onclick: decide("upheld") }),
          h("button", { type: "button", class: "btn", text: t("mod.overturn"), onclick: decide("overturned") }));
      } else footer = h("p", { class: "muted not-yours", text: t("mod.notYours") });
      return h("li", { class: "appeal", dataset: { id: String(a.id) } }, about, h("p", { class: "body", text: a.body }), footer);
    }) : [h("li", { class: "muted", text: t(status.value === "open" ? "mod.appealsEmpty" : "mod.appealsNoneDecided") })]));
  }
  status.addEventListener("change", () => { done.hidden = true; load(); });
  await load();
  const offs = ["appeal_filed", "appeal_decided"].map((type) => live.on(type, () => load()));
  return () => offs.forEach((off) => off());
}

export async function renderRoomsAdmin(main) {
  const list = h("ul", { class: "room-hosts" });
  clear(main).append(h("section", { class: "moderation" }, subnav(), h("h1", { text: t("mod.rooms") }), list));
  const { rooms } = await api("/api/v1/rooms");
  async function renderRoomRow(room) {
    const { hosts } = await api(`/api/v1/moderation/rooms/${room.id}/hosts`);
    const name = h("input", { name: "pseudonym", "aria-label": t("mod.hostName"), placeholder: t("mod.hostName") });
    const row = h("li", { dataset: { room: String(room.id) } }, h("h2", { text: room.name }),
      h("ul", {}, hosts.map((host) => h("li", {}, h("span", { text: host.pseudonym }), " ",
        isSite() ? h("button", { type: "button", class: "link", text: t("mod.remove"), onclick: async () => {
          await api(`/api/v1/moderation/rooms/${room.id}/hosts/${host.id}`, { method: "DELETE" });
          row.replaceWith(await renderRoomRow(room));
        } }) : null))),
      isSite() ? h("form", { onsubmit: async (event) => {
        event.preventDefault();
        try { await api(`/api/v1/moderation/rooms/${room.id}/hosts`, { method: "POST", body: { pseudonym: name.value } }); } catch (failure) { announce(failure.message); }
        row.replaceWith(await renderRoomRow(room));
      } }, name, h("button", { type: "submit", class: "btn", text: t("mod.addHost") })) : null,
      h("button", { type: "button", class: "btn", text: t("mod.pause"), onclick: async () => {
        try { await api(`/api/v1/moderation/rooms/${room.id}/pause`, { method: "POST", body: { minutes: 30, slow_seconds: 30, quiet_new: true } }); announce(t("mod.done")); } catch (failure) { announce(failure.message); }
      } }),
      h("button", { type: "button", class: "link", text: t("mod.unpause"), onclick: async () => {
        try { await api(`/api/v1/moderation/rooms/${room.id}/pause`, { method: "DELETE" }); announce(t("mod.done")); } catch (failure) { announce(failure.message); }
      } }));
    return row;
  }
  for (const room of rooms) list.append(await renderRoomRow(room));
}

export async function renderWords(main) {
  const list = h("ul", { class: "watched-words" });
  const pattern = h("input", { name: "pattern", required: true, maxlength: 100, "aria-label": t("mod.wordPattern"), placeholder: t("mod.wordPattern") });
  const action = select("action", ["flag", "hold", "block", "replace"].map((a) => [a, t(`mod.wordAction.${a}`)]), "flag", t("mod.wordAction"));
  const replacement = h("input", { name: "replacement", maxlength: 200, "aria-label": t("mod.wordReplacement"), placeholder: t("mod.wordReplacement") });
  const message = h("input", { name: "message", maxlength: 500, "aria-label": t("mod.wordMessage"), placeholder: t("mod.wordMessage") });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "word-form" }, pattern, action, replacement, message, error, h("button", { type: "submit", class: "btn", text: t("mod.addWord") }));
  clear(main).append(h("section", { class: "moderation" }, subnav(), h("h1", { text: t("mod.words") }), form, list));
  async function load() {
    const { watched_words: words } = await api("/api/v1/moderation/watched-words");
    clear(list).append(...words.map((w) => h("li", { dataset: { id: String(w.id) } },
      h("strong", { text: w.pattern }), h("span", { text: ` → ${t(`mod.wordAction.${w.action}`)}${w.replacement ? ` (${w.replacement})` : ""}` }), " ",
      h("button", { type: "button", class: "link", text: t("mod.remove"), onclick: async () => {
        await api(`/api/v1/moderation/watched-words/${w.id}`, { method: "DELETE" });
        await load();
      } }))));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { pattern: pattern.value, action: action.value };
    if (replacement.value) body.replacement = replacement.value;
    if (message.value) body.message = message.value;
    try {
      await api("/api/v1/moderation/watched-words", { method: "POST", body });
      form.reset();
      error.hidden = true;
      await load();
    } catch (failure) {
      error.textContent = failure.message || t("error.generic");
      error.hidden = false;
    }
  });
  await load();
}

export async function renderAudit(main) {
  const actor = h("input", { name: "actor", "aria-label": t("mod.auditActor"), placeholder: t("mod.auditActor") });
  const action = h("input", { name: "action", "aria-label": t("mod.auditAction"), placeholder: t("mod.auditAction") });
  const rows = h("tbody");
  const form = h("form", { class: "filters" }, actor, action, h("button", { type: "submit", class: "btn", text: t("mod.filter") }));
  clear(main).append(h("section", { class: "moderation" }, subnav(), h("h1", { text: t("mod.audit") }), form,
    h("table", { class: "audit" }, h("thead", {}, h("tr", {}, ["when", "who", "what", "about", "why"].map((c) => h("th", { scope: "col", text: t(`mod.column.${c}`) })))), rows)));
  async function load() {
    const query = new URLSearchParams();
    if (actor.value) query.set("actor", actor.value);
    if (action.value) query.set("action", action.value);
    const { entries } = await api(`/api/v1/moderation/audit?${query}`);
    clear(rows).append(...entries.map((e) => h("tr", {},
      h("td", { text: new Date(e.at).toLocaleString() }), h("td", { text: `${e.actor} (${e.actor_role})` }), h("td", { text: e.action }),
      h("td", { text: `${e.target.kind ?? ""} ${e.target.id ?? ""} ${e.target.pseudonym ?? ""}` }), h("td", { text: e.reason ?? "" }))));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  await load();
}

export const moderationRoutes = [
  [/^#\/moderation\/cases\/(\d+)$/, (el, id) => renderCase(el, Number(id))],
  [/^#\/moderation\/appeals$/, (el) => renderAppeals(el)],
  [/^#\/moderation\/rooms$/, (el) => renderRoomsAdmin(el)],
  [/^#\/moderation\/words$/, (el) => renderWords(el)],
  [/^#\/moderation\/audit$/, (el) => renderAudit(el)],
  [/^#\/moderation$/, (el) => renderQueue(el)],
];
