// The talk-now helpers' panel: "available to listen", how many chats at once,
// and the line of people waiting, each with a button to take them. It is on
// the mentorship page, and in the specialists' console below the crisis
// flags, because a flag always comes first.
import { api } from "../api.js";
import { h, clear, field } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";

// Returns the panel (to place on a page), `ready` (its first load), `reload` and `stop`.
export function helperPanel() {
  const status = h("p", { role: "status", class: "muted" });
  const body = h("div");
  const panel = h("section", { class: "talk-now-helpers", "aria-labelledby": "helpers-title" },
    h("h2", { id: "helpers-title", text: t("helper.title") }),
    h("p", { class: "muted", text: t("helper.belowFlags") }), status, body);

  const act = (fn) => async (event) => {
    if (event && event.preventDefault) event.preventDefault();
    status.textContent = "";
    try {
      await fn();
      await load();
    } catch (error) {
      status.textContent = error.detail || t("error.generic");
    }
  };

  async function load() {
    const [{ availability }, { queue }] = await Promise.all([api("/api/v1/talk-now/availability"), api("/api/v1/talk-now/queue")]);
    const available = h("input", { type: "checkbox", name: "available", checked: availability.available });
    const max = h("input", { type: "number", name: "max", min: 1, value: availability.max_chats });
    const form = h("form", { class: "card" },
      h("label", { class: "check" }, available, t("helper.available")),
      field(t("helper.maxChats"), max),
      h("p", { class: "muted", text: t("helper.active", { count: availability.active_chats }) }),
      h("button", { type: "submit", class: "btn", text: t("helper.save") }));
    form.addEventListener("submit", act(() => api("/api/v1/talk-now/availability", { method: "PUT",
      body: { available: available.checked, max_chats: Number(max.value) } })));
    clear(body).append(form);
    if (!queue.length) body.append(h("p", { class: "muted", text: t("helper.empty") }));
    for (const q of queue) {
      body.append(h("div", { class: "card" },
        h("p", { text: t("helper.waiting", { name: q.member.pseudonym, position: q.position }) }),
        h("button", { type: "button", class: "btn primary", text: t("helper.take"), onclick: act(async () => {
          const { request } = await api(`/api/v1/talk-now/${q.id}/take`, { method: "POST" });
          location.replace(`#/conversations/${request.conversation_id}`);
        }) })));
    }
  }

  const off = live.on("talk_now_queue", () => load().catch(() => null));
  return { panel, ready: load(), reload: () => load().catch(() => null), stop: off };
}
