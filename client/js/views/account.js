// Account: where I'm signed in, a second factor (authenticator app), taking my
// data away, and leaving Hearth. Every word from the server is set as text.
import { api, ApiError } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";

function errorText(error) {
  return error instanceof ApiError && error.detail ? error.detail : t("error.generic");
}

function sessionsCard() {
  const list = h("ul", { class: "sessions" });
  const status = h("p", { class: "muted", role: "status" });
  async function load() {
    const { sessions } = await api("/api/v1/me/sessions");
    clear(list).append(...sessions.map((s) => h("li", {},
      h("span", { text: s.current ? t("account.thisOne") : t("account.session", { created: s.created_on, used: s.last_used_on }) }),
      s.current ? null : h("button", { type: "button", class: "btn", text: t("account.end"), onclick: async () => {
        await api(`/api/v1/me/sessions/${s.id}`, { method: "DELETE" });
        load();
      } }))));
  }
  const others = h("button", { type: "button", class: "btn", text: t("account.endOthers"), onclick: async () => {
    await api("/api/v1/me/sessions/others", { method: "DELETE" });
    status.textContent = t("account.done");
    load();
  } });
  load();
  return h("section", { class: "card" }, h("h2", { text: t("account.sessions") }), h("p", { class: "muted", text: t("account.sessionsHelp") }),
    list, others, status);
}

function factorCard() {
  const body = h("div");
  const box = h("p", { class: "form-error", role: "alert", hidden: true });
  const fail = (error) => { box.hidden = false; box.textContent = errorText(error); };
  const input = (id, type = "text") => h("input", { id, type, autocomplete: type === "password" ? "current-password" : "one-time-code" });
  async function load() {
    box.hidden = true;
    const state = await api("/api/v1/me/second-factor");
    const password = input("factor-password", "password");
    if (state.enabled) {
      const code = input("factor-off-code");
      clear(body).append(h("p", { text: t("account.factorOn") }),
        state.required ? null : h("form", { class: "inline" },
          h("label", { for: "factor-password", text: t("account.password") }), password,
          h("label", { for: "factor-off-code", text: t("account.code") }), code,
          h("button", { type: "submit", class: "btn", text: t("account.turnOff") })));
      body.querySelector("form")?.addEventListener("submit", async (event) => {
        event.preventDefault();
        try { await api("/api/v1/me/second-factor", { method: "DELETE", body: { password: password.value, code: code.value } }); load(); } catch (error) { fail(error); }
      });
      return;
    }
    const start = h("form", {}, state.required ? h("p", { text: t("account.factorRequired") }) : null,
      h("label", { for: "factor-password", text: t("account.password") }), password,
      h("button", { type: "submit", class: "btn primary", text: t("account.start") }));
    start.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const made = await api("/api/v1/me/second-factor", { method: "POST", body: { password: password.value } });
        const code = input("factor-code");
        const confirm = h("form", {},
          h("p", { text: t("account.secretIntro") }),
          h("p", {}, h("code", { text: made.secret })),
          h("p", {}, h("a", { href: made.otpauth_uri, text: made.otpauth_uri })),
          h("label", { for: "factor-code", text: t("account.code") }), code,
          h("button", { type: "submit", class: "btn primary", text: t("account.confirm") }));
        confirm.addEventListener("submit", async (e) => {
          e.preventDefault();
          try { await api("/api/v1/me/second-factor/confirm", { method: "POST", body: { code: code.value } }); load(); } catch (error) { fail(error); }
        });
        clear(body).append(confirm);
        code.focus();
      } catch (error) { fail(error); }
    });
    clear(body).append(start);
  }
  load();
  return h("section", { class: "card" }, h("h2", { text: t("account.factor") }), h("p", { class: "muted", text: t("account.factorHelp") }), body, box);
}

function dataCard() {
  const download = h("button", { type: "button", class: "btn", text: t("account.download"), onclick: async () => {
    const data = await api("/api/v1/me/export");
    const link = h("a", { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" })),
      download: `hearth-export-${data.exported_at.slice(0, 10)}.json` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } });
  return h("section", { class: "card" }, h("h2", { text: t("account.data") }), h("p", { class: "muted", text: t("account.dataHelp") }), download);
}

function leaveCard(onLeft) {
  const keep = h("input", { type: "radio", name: "messages", id: "leave-keep", value: "keep", checked: true });
  const remove = h("input", { type: "radio", name: "messages", id: "leave-remove", value: "remove" });
  const password = h("input", { type: "password", id: "leave-password", autocomplete: "current-password", required: true });
  const code = h("input", { id: "leave-code", autocomplete: "one-time-code" });
  const box = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", {},
    h("p", { class: "check" }, keep, h("label", { for: "leave-keep", text: t("account.keep") })),
    h("p", { class: "check" }, remove, h("label", { for: "leave-remove", text: t("account.remove") })),
    h("div", { class: "field" }, h("label", { for: "leave-password", text: t("account.password") }), password),
    h("div", { class: "field" }, h("label", { for: "leave-code", text: t("account.codeIfAny") }), code),
    box, h("button", { type: "submit", class: "btn danger", text: t("account.delete") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = true;
    try {
      const body = { password: password.value, messages: remove.checked ? "remove" : "keep" };
      if (code.value.trim()) body.totp_code = code.value.trim();
      // This page says goodbye itself: the server closing the socket ("account_deleted")
      // must not send it to the log-in page first.
      live.stop();
      await api("/api/v1/me", { method: "DELETE", body });
      onLeft();
    } catch (error) {
      live.connect();  // still here: the account stays and so does the live connection
      box.hidden = false;
      box.textContent = errorText(error);
    }
  });
  return h("section", { class: "card" }, h("h2", { text: t("account.leave") }), h("p", { text: t("account.leaveHelp") }), form);
}

export function renderAccount(main) {
  const page = h("section", { class: "page account" }, h("h1", { text: t("account.title") }),
    sessionsCard(), factorCard(), dataCard(),
    leaveCard(() => {
      clear(page).append(h("p", { role: "status", text: t("account.deleted") }), h("p", {}, h("a", { href: "#/signup", text: t("nav.signup") })));
    }));
  clear(main).append(page);
}
