import { api, ApiError } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";

function field(label, input, hint) {
  const id = `f-${input.name}`;
  input.id = id;
  return h("div", { class: "field" },
    h("label", { for: id, text: label }),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint`, text: hint }) : null);
}

function errorBox() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

function showError(box, error) {
  box.hidden = false;
  box.textContent = error instanceof ApiError && error.detail ? error.detail
    : error instanceof ApiError && error.code === "network" ? t("error.network") : t("error.generic");
}

export function renderSignup(main, { onSignedIn }) {
  const pseudonym = h("input", { name: "pseudonym", autocomplete: "username", required: true, minlength: 3, maxlength: 24, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10, "aria-describedby": "f-password-hint" });
  const ideas = h("div", { class: "suggestions", "aria-live": "polite" });
  const box = errorBox();

  async function loadIdeas() {
    clear(ideas);
    try {
      const { suggestions } = await api("/api/v1/auth/suggestions");
      ideas.append(h("span", { text: t("auth.suggestions") }),
        ...suggestions.map((name) => h("button", { type: "button", class: "chip", text: name, onclick: () => { pseudonym.value = name; pseudonym.focus(); } })),
        h("button", { type: "button", class: "link", text: t("auth.moreIdeas"), onclick: loadIdeas }));
    } catch {
      /* ideas are optional */
    }
  }

  const form = h("form", { class: "card", novalidate: true },
    h("h1", { text: t("auth.signupTitle") }),
    h("p", { text: t("auth.signupIntro") }),
    field(t("auth.pseudonym"), pseudonym), ideas,
    field(t("auth.password"), password, t("auth.passwordHint")),
    box,
    h("button", { type: "submit", class: "btn primary", text: t("auth.signupButton") }),
    h("p", {}, h("a", { href: "#/login", text: t("auth.haveAccount") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = true;
    try {
      const result = await api("/api/v1/auth/signup", { method: "POST", body: { pseudonym: pseudonym.value, password: password.value } });
      password.value = "";
      renderRecoveryCodes(main, result.recovery_codes, () => onSignedIn(result.user));
    } catch (error) {
      showError(box, error);
    }
  });
  clear(main).append(form);
  loadIdeas();
  pseudonym.focus();
}

export function renderRecoveryCodes(main, codes, onDone) {
  const saved = h("input", { type: "checkbox", id: "codes-saved" });
  const next = h("button", { type: "button", class: "btn primary", text: t("auth.codesContinue"), disabled: true, onclick: onDone });
  saved.addEventListener("change", () => { next.disabled = !saved.checked; });
  clear(main).append(h("section", { class: "card", "aria-labelledby": "codes-title" },
    h("h1", { id: "codes-title", text: t("auth.codesTitle") }),
    h("p", { text: t("auth.codesIntro") }),
    h("ol", { class: "codes" }, codes.map((code) => h("li", {}, h("code", { text: code })))),
    h("p", { class: "check" }, saved, h("label", { for: "codes-saved", text: t("auth.codesSaved") })),
    next));
  saved.focus();
}

export function renderLogin(main, { onSignedIn }) {
  const pseudonym = h("input", { name: "pseudonym", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const remember = h("input", { type: "checkbox", id: "f-remember", name: "remember" });
  // Shown when the account has an authenticator app: its code, or a recovery code.
  const second = h("input", { name: "second", autocomplete: "one-time-code", autocapitalize: "off", spellcheck: "false" });
  const secondField = field(t("auth.secondFactor"), second, t("auth.secondFactorHint"));
  secondField.hidden = true;
  const box = errorBox();
  const form = h("form", { class: "card" },
    h("h1", { text: t("auth.loginTitle") }),
    field(t("auth.pseudonym"), pseudonym),
    field(t("auth.password"), password),
    secondField,
    h("p", { class: "check" }, remember, h("label", { for: "f-remember", text: t("auth.remember") })),
    box,
    h("button", { type: "submit", class: "btn primary", text: t("auth.loginButton") }),
    h("p", {}, h("a", { href: "#/signup", text: t("auth.needAccount") })),
    h("p", {}, h("a", { href: "#/recover", text: t("auth.forgot") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = true;
    try {
      const body = { pseudonym: pseudonym.value, password: password.value, remember: remember.checked };
      const extra = second.value.trim();
      if (extra) body[/^\d{6}$/.test(extra.replace(/\s/g, "")) ? "totp_code" : "recovery_code"] = extra;
      const result = await api("/api/v1/auth/login", { method: "POST", body });
      onSignedIn(result.user);
    } catch (error) {
      if (error instanceof ApiError && error.code.startsWith("second_factor")) {
        secondField.hidden = false;
        second.focus();
      }
      showError(box, error);
    }
  });
  clear(main).append(form);
  pseudonym.focus();
}

export function renderRecover(main, { onSignedIn }) {
  const pseudonym = h("input", { name: "pseudonym", autocomplete: "username", required: true, autocapitalize: "off" });
  const code = h("input", { name: "code", autocomplete: "one-time-code", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { name: "new-password", type: "password", autocomplete: "new-password", required: true, minlength: 10 });
  const box = errorBox();
  const form = h("form", { class: "card" },
    h("h1", { text: t("auth.recoverTitle") }),
    field(t("auth.pseudonym"), pseudonym),
    field(t("auth.recoveryCode"), code),
    field(t("auth.newPassword"), password, t("auth.passwordHint")),
    box,
    h("button", { type: "submit", class: "btn primary", text: t("auth.recoverButton") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = true;
    try {
      const result = await api("/api/v1/auth/recover", { method: "POST", body: { pseudonym: pseudonym.value, recovery_code: code.value, new_password: password.value } });
      onSignedIn(result.user);
    } catch (error) {
      showError(box, error);
    }
  });
  clear(main).append(form);
  pseudonym.focus();
}
