// The member's side of moderation: a Report control for messages, posts and
// people; notices of actions (with a one-time appeal) and of report outcomes.
// Every string from the server is set with textContent.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";

const REASONS = ["harassment", "drugs", "identifying", "spam", "other"];

// A small inline form after `anchor`; kind is message, post or member.
export function openReport(kind, id, anchor) {
  const existing = anchor.parentElement?.querySelector(".report-form");
  if (existing) { existing.remove(); return; }
  const select = h("select", { name: "reason", "aria-label": t("report.reason") },
    REASONS.map((reason) => h("option", { value: reason, text: t(`report.reason.${reason}`) })));
  const text = h("textarea", { name: "text", rows: 2, maxlength: 1000, "aria-label": t("report.text"), placeholder: t("report.text") });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "report-form", "aria-label": t("report.title") },
    h("p", { class: "muted", text: t("report.title") }), select, text, error,
    h("button", { type: "submit", class: "btn", text: t("report.send") }),
    h("button", { type: "button", class: "link", text: t("report.cancel"), onclick: () => form.remove() }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/v1/reports", { method: "POST", body: { kind, id, reason: select.value, text: text.value.trim() || undefined } });
      form.replaceChildren(h("p", { class: "notice", role: "status", text: t("report.thanks") }));
      setTimeout(() => form.remove(), 4000);
    } catch (failure) {
      error.textContent = failure.message || t("error.generic");
      error.hidden = false;
    }
  });
  anchor.after(form);
  select.focus();
}

export function reportButton(kind, id) {
  const button = h("button", { type: "button", class: "link report", text: t("report.button") });
  button.addEventListener("click", () => openReport(kind, id, button));
  return button;
}

// appealed: action id -> the member's appeal of it (status open, upheld or overturned).
function renderNotice(notice, appealed) {
  const item = h("li", { class: `notice-item${notice.read ? "" : " unread"}` },
    h("p", { class: "body", text: notice.body }),
    h("time", { class: "muted", datetime: notice.created_at, text: new Date(notice.created_at).toLocaleString() }));
  const mine = notice.appealable && notice.action_id ? appealed.get(notice.action_id) : null;
  if (mine) {
    item.append(h("p", { class: "muted appeal-state", text: t(mine.status === "open" ? "notices.appealWaiting" : "notices.appealDecided") }));
  } else if (notice.appealable && notice.action_id) {
    const open = h("button", { type: "button", class: "link", text: t("notices.appeal") });
    open.addEventListener("click", () => {
      const body = h("textarea", { rows: 3, maxlength: 2000, required: true, "aria-label": t("notices.appealLabel"), placeholder: t("notices.appealLabel") });
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      const form = h("form", { class: "appeal-form" }, body, error, h("button", { type: "submit", class: "btn", text: t("notices.appealSend") }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await api("/api/v1/appeals", { method: "POST", body: { action_id: notice.action_id, body: body.value } });
          appealed.set(notice.action_id, { status: "open" });
          form.replaceWith(h("p", { class: "notice", role: "status", text: t("notices.appealed") }));
        } catch (failure) {
          error.textContent = failure.message || t("error.generic");
          error.hidden = false;
        }
      });
      open.replaceWith(form);
      body.focus();
    });
    item.append(open);
  }
  return item;
}

export async function renderNotices(main) {
  const list = h("ul", { class: "notices" });
  const reports = h("ul", { class: "my-reports" });
  clear(main).append(h("section", { class: "notices-view", "aria-labelledby": "notices-title" },
    h("h1", { id: "notices-title", text: t("notices.title") }), h("p", { class: "muted", text: t("notices.intro") }), list,
    h("h2", { text: t("notices.reportsTitle") }), reports));
  async function load() {
    const [{ notices }, { appeals }, mine] = await Promise.all([
      api("/api/v1/me/notices"), api("/api/v1/appeals/mine"), api("/api/v1/reports/mine")]);
    const appealed = new Map(appeals.map((a) => [a.action_id, a]));
    clear(list).append(...(notices.length ? notices.map((n) => renderNotice(n, appealed)) : [h("li", { class: "muted", text: t("notices.empty") })]));
    clear(reports).append(...mine.reports.map((r) => h("li", {},
      h("span", { text: t(`report.reason.${r.reason}`) }), " · ",
      h("span", { class: "muted", text: r.outcome || t("notices.reportOpen") }))));
    if (notices.some((n) => !n.read)) api("/api/v1/me/notices/read", { method: "POST" }).catch(() => {});
  }
  await load();
  // Room hosts reach their rooms' review queue from here (the nav entry is for site moderators).
  const { room_ids: hosting } = await api("/api/v1/me/hosting");
  if (hosting.length && !["moderator", "admin"].includes(getState().user?.role)) {
    main.querySelector(".notices-view").append(h("p", {}, h("a", { href: "#/moderation", text: t("notices.hostQueue") })));
  }
  const off = live.on("moderation_notice", () => load());
  return off;
}

// A notice arriving anywhere in the app is announced (without names).
live.on("moderation_notice", (frame) => announce(frame.notice.body));
