// Every member-facing string lives in one message catalogue, client/i18n/en.json,
// so a community can translate Hearth without touching code (docs/client.md).
// Keys are dotted; {name} placeholders are filled by t().
//
// English is part of the module graph, so every word (above all the safety
// controls') is there the moment the page runs. A page whose <html lang> is
// another language also loads client/i18n/<lang>.json; main.js waits for it
// before drawing a view, and a key it lacks stays English.
import english from "../i18n/en.json" with { type: "json" };

const FALLBACK = "en";
const catalogue = { ...english };

async function loadTranslation(lang) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const response = await fetch(`/static/i18n/${lang}.json`, { credentials: "same-origin" });
      if (response.ok) return await response.json();
      if (response.status === 404) return null;
    } catch {
      // A momentary network failure: try once more.
    }
  }
  return null;
}

const requested = document.documentElement.lang || FALLBACK;
const lang = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(requested) ? requested : FALLBACK;

// Resolves once the page's language is in the catalogue (at once for English).
export const translationReady = lang === FALLBACK ? Promise.resolve() : loadTranslation(lang).then((words) => {
  if (words) Object.assign(catalogue, words);
});

export function t(key, vars = {}) {
  const text = catalogue[key];
  if (text === undefined) return key;
  if (typeof text !== "string") return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
