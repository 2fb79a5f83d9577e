// Settings: appearance, privacy of the page itself, safety plan, and links to
// the other settings pages (messaging, blocks, forum notes).
import { api } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";

const PLAN_FIELDS = ["warning_signs", "coping_steps", "people_and_places", "reasons_to_keep_going"];

export function applyPreferences() {
  const theme = localStorage.getItem("hearth.theme") || "system";
  document.documentElement.dataset.theme = theme;
}

export function announcesNames() {
  return localStorage.getItem("hearth.announceNames") === "on";
}

export async function renderSettings(main) {
  const theme = h("select", { id: "theme" }, ["system", "light", "dark"].map((value) =>
    h("option", { value, text: t(`settings.theme.${value}`), selected: (localStorage.getItem("hearth.theme") || "system") === value })));
  theme.addEventListener("change", () => {
    localStorage.setItem("hearth.theme", theme.value);
    applyPreferences();
  });
  const names = h("input", { type: "checkbox", id: "announce-names", checked: announcesNames() });
  names.addEventListener("change", () => localStorage.setItem("hearth.announceNames", names.checked ? "on" : "off"));

  const fields = Object.fromEntries(PLAN_FIELDS.map((name) => [name, h("textarea", { id: `plan-${name}`, rows: 3, maxlength: 2000 })]));
  const saved = h("p", { class: "muted", role: "status" });
  const plan = h("form", { class: "card", "aria-labelledby": "plan-title" },
    h("h2", { id: "plan-title", text: t("settings.safetyPlan") }),
    h("p", { class: "muted", text: t("settings.safetyPlanHelp") }),
    PLAN_FIELDS.map((name) => h("div", { class: "field" }, h("label", { for: `plan-${name}`, text: t(`settings.plan.${name}`) }), fields[name])),
    h("button", { type: "submit", class: "btn primary", text: t("settings.save") }), saved);
  plan.addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("/api/v1/me/safety-plan", { method: "PUT", body: Object.fromEntries(PLAN_FIELDS.map((n) => [n, fields[n].value])) });
    saved.textContent = t("settings.saved");
  });

  clear(main).append(h("section", { class: "page settings" },
    h("h1", { text: t("settings.title") }),
    h("section", { class: "card" },
      h("h2", { text: t("settings.appearance") }),
      h("div", { class: "field" }, h("label", { for: "theme", text: t("settings.theme") }), theme),
      h("h2", { text: t("settings.discreet") }),
      h("p", { class: "muted", text: t("settings.discreetHelp") }),
      h("p", { class: "check" }, names, h("label", { for: "announce-names", text: t("settings.showNames") }))),
    plan,
    h("section", { class: "card" },
      h("h2", { text: t("settings.more") }),
      h("ul", {},
        h("li", {}, h("a", { href: "#/settings/messaging", text: t("settings.messaging") })),
        h("li", {}, h("a", { href: "#/settings/account", text: t("account.link") })),
        h("li", {}, h("a", { href: "#/forum", text: t("settings.forum") }))))));
  const { safety_plan: current } = await api("/api/v1/me/safety-plan");
  if (current) for (const name of PLAN_FIELDS) fields[name].value = current[name] || "";
}
