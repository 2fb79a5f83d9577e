// Every member-facing string lives in one message catalogue, client/i18n/en.json,
// so a community can translate Hearth without touching code (docs/client.md).
// Keys are dotted; {name} placeholders are filled by t(). The catalogue for the
// page's language (<html lang>) is loaded before any view runs; a key it lacks
// falls back to English.
const FALLBACK = "en";

async function load(lang) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const response = await fetch(`/static/i18n/${lang}.json`, { credentials: "same-origin" });
      if (response.ok) return await response.json();
      if (response.status === 404) return {};
    } catch {
      // A momentary network failure: try once more below.
    }
  }
  return {};
}

const requested = document.documentElement.lang || FALLBACK;
const lang = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(requested) ? requested : FALLBACK;
const [english, translated] = await Promise.all([load(FALLBACK), lang === FALLBACK ? {} : load(lang)]);
const catalogue = { ...english, ...translated };

export function t(key, vars = {}) {
  const text = catalogue[key];
  if (text === undefined) return key;
  if (typeof text !== "string") return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function translateStatic(root = document) {
  // The page's own English words stay if the catalogue could not be loaded.
  for (const el of root.querySelectorAll("[data-i18n]")) {
    if (el.dataset.i18n in catalogue) el.textContent = catalogue[el.dataset.i18n];
  }
}
