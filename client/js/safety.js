// Safety controls present on every screen: crisis resources and quick exit.
import { h, clear } from "./dom.js";
import { t } from "./i18n.js";

const NEUTRAL_SITE = "https://www.weather.gov/";

export function quickExit() {
  // Replace (not push) so Back does not return here, and blank the page at once.
  document.title = t("safety.neutralTitle");
  clear(document.body);
  try {
    sessionStorage.clear();
  } catch {
    /* storage may be disabled */
  }
  window.location.replace(NEUTRAL_SITE);
}

let resources = null;  // from the server: each deployment configures its own

async function loadResources() {
  if (resources) return resources;
  try {
    const response = await fetch("/api/v1/resources", { credentials: "same-origin" });
    resources = (await response.json()).resources;
  } catch {
    resources = null;
  }
  return resources;
}

function resourceList(list) {
  if (!list) return h("ul", { class: "resources" }, t("help.resources").map((line) => h("li", { text: line })));
  return h("ul", { class: "resources" }, list.map((r) =>
    h("li", {}, h("strong", { text: r.name }), " — ", h("span", { class: "contact", text: r.contact }), r.detail ? h("span", { class: "muted", text: ` ${r.detail}` }) : null)));
}

export async function openHelp() {
  const dialog = document.getElementById("help-dialog");
  clear(dialog);
  const close = h("button", { type: "button", class: "btn", text: t("help.close"), onclick: () => dialog.close() });
  dialog.append(
    h("h2", { id: "help-title", text: t("help.title") }),
    h("p", { text: t("help.intro") }),
    resourceList(await loadResources()),
    close,
  );
  dialog.showModal();
  close.focus();
}

// A private, gentle panel: only this member's own screen ever shows it.
export function showResources(message, list) {
  document.getElementById("care-panel")?.remove();
  const panel = h("aside", { id: "care-panel", class: "care-panel", role: "alert", "aria-labelledby": "care-title" },
    h("h2", { id: "care-title", text: t("help.title") }),
    h("p", { text: message }),
    resourceList(list),
    h("button", { type: "button", class: "btn", text: t("help.close"), onclick: () => panel.remove() }));
  document.getElementById("main").before(panel);
}

export function installSafetyControls() {
  document.getElementById("help-now").addEventListener("click", openHelp);
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    presses = presses.filter((time) => now - time < 1500);
    presses.push(now);
    if (presses.length >= 3) quickExit();
  });
}
