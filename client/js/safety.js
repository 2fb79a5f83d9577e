// Safety controls present on every screen: crisis resources and quick exit.
import { h, clear } from "./dom.js";
import { t } from "./i18n.js";

const NEUTRAL_SITE = "https://www.weather.gov/";

export function quickExit() {
  // Replace (not push) so Back does not return here, and blank the page at once.
  document.title = "Weather";
  clear(document.body);
  try {
    sessionStorage.clear();
  } catch {
    /* storage may be disabled */
  }
  window.location.replace(NEUTRAL_SITE);
}

export function openHelp() {
  const dialog = document.getElementById("help-dialog");
  clear(dialog);
  const close = h("button", { type: "button", class: "btn", text: t("help.close"), onclick: () => dialog.close() });
  dialog.append(
    h("h2", { id: "help-title", text: t("help.title") }),
    h("p", { text: t("help.intro") }),
    h("ul", { class: "resources" }, t("help.resources").map((line) => h("li", { text: line }))),
    close,
  );
  dialog.showModal();
  close.focus();
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
