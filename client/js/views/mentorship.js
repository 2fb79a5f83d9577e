// Mentorship: ask for a mentor, see your mentorships, volunteer, and (for
// mentors) requests offered to you; mentors also find the talk-now helpers' panel here.
import { api } from "../api.js";
import { h, clear, field } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";
import { helperPanel } from "./talk-now-helpers.js";

function select(name, values, label) {
  return h("select", { name, required: true }, values.map((v) => h("option", { value: v, text: label(v) })));
}

export async function renderMentorship(main) {
  const status = h("p", { role: "status", class: "muted" });
  const body = h("div");
  clear(main).append(h("section", { class: "page" }, h("h1", { text: t("mentor.title") }),
    h("p", { class: "muted", text: t("mentor.intro") }), status, body));

  const act = (fn) => async (event) => {
    if (event && event.preventDefault) event.preventDefault();
    status.textContent = "";
    try {
      await fn(event);
      await load();
    } catch (error) {
      status.textContent = error.detail || t("error.generic");
    }
  };

  async function load() {
    const data = await api("/api/v1/mentorship");
    clear(body);

    // Current mentorships.
    if (data.mentorships.length) {
      body.append(h("h2", { text: t("mentor.yours") }));
      for (const m of data.mentorships) {
        body.append(h("div", { class: "card" },
          h("p", { text: t(m.role === "mentor" ? "mentor.youMentor" : "mentor.yourMentor", { name: m.with.pseudonym }) }),
          h("a", { class: "btn", href: `#/conversations/${m.conversation_id}`, text: t("mentor.openChat") }), " ",
          h("button", { type: "button", class: "link", text: t("mentor.end"), onclick: act(async () => {
            if (!window.confirm(t("mentor.confirmEnd"))) return;
            await api(`/api/v1/mentorship/${m.id}/end`, { method: "POST" });
          }) })));
      }
    }

    // Asking for a mentor.
    body.append(h("h2", { text: t("mentor.askTitle") }));
    if (data.requests.length) {
      for (const r of data.requests) {
        body.append(h("div", { class: "card" },
          h("p", { text: t("mentor.waiting", { count: r.offered_to }) }),
          h("button", { type: "button", class: "link", text: t("mentor.cancel"), onclick: act(() => api(`/api/v1/mentorship/requests/${r.id}`, { method: "DELETE" })) })));
      }
    } else {
      const form = h("form", { class: "card" },
        field(t("mentor.focus"), select("focus", data.focus_areas, (v) => t(`mentor.focusArea.${v}`))),
        field(t("mentor.tzBand"), select("tz_band", data.tz_bands, (v) => t(`mentor.band.${v}`))),
        field(t("mentor.language"), h("input", { name: "language", maxlength: 2, placeholder: t("mentor.languageExample") })),
        h("button", { type: "submit", class: "btn primary", text: t("mentor.ask") }));
      form.addEventListener("submit", act(() => api("/api/v1/mentorship/requests", { method: "POST", body: {
        focus: form.elements.namedItem("focus").value, tz_band: form.elements.namedItem("tz_band").value, language: form.language.value.trim().toLowerCase() || undefined } })));
      body.append(form);
    }

    // Volunteering.
    body.append(h("h2", { text: t("mentor.volunteerTitle") }),
      h("p", { class: "muted", text: t("mentor.volunteerIntro", { days: data.min_days }) }));
    const p = data.profile;
    const focusBoxes = data.focus_areas.map((f) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "focus", value: f, checked: p ? p.focus.includes(f) : false }), t(`mentor.focusArea.${f}`)));
    const vform = h("form", { class: "card" },
      field(t("mentor.since"), h("input", { type: "date", name: "since", required: true, value: p ? p.recovery_since : "" })),
      h("fieldset", {}, h("legend", { text: t("mentor.focus") }), focusBoxes),
      field(t("mentor.tzBand"), select("tz_band", data.tz_bands, (v) => t(`mentor.band.${v}`))),
      field(t("mentor.languages"), h("input", { name: "languages", value: p ? p.languages.join(", ") : "en" })),
      field(t("mentor.maxMentees"), h("input", { type: "number", name: "max", min: 1, value: p ? p.max_mentees : 1 })),
      h("button", { type: "submit", class: "btn", text: p && p.volunteering ? t("mentor.update") : t("mentor.volunteer") }),
      p && p.volunteering ? h("button", { type: "button", class: "link", text: t("mentor.stop"), onclick: act(() => api("/api/v1/mentorship/profile", { method: "DELETE" })) }) : null);
    if (p) vform.tz_band.value = p.tz_band;
    vform.addEventListener("submit", act(() => api("/api/v1/mentorship/profile", { method: "PUT", body: {
      recovery_since: vform.since.value,
      focus: [...vform.querySelectorAll('input[name="focus"]:checked')].map((el) => el.value),
      tz_band: vform.tz_band.value,
      languages: vform.languages.value.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean),
      max_mentees: Number(vform.max.value) } })));
    body.append(vform);

    // Requests offered to me as a mentor.
    if (p && p.volunteering) {
      const { requests } = await api("/api/v1/mentorship/inbox");
      body.append(h("h2", { text: t("mentor.inbox") }));
      if (!requests.length) body.append(h("p", { class: "muted", text: t("mentor.inboxEmpty") }));
      for (const r of requests) {
        body.append(h("div", { class: "card" },
          h("p", { text: t("mentor.offer", { name: r.member.pseudonym, focus: t(`mentor.focusArea.${r.focus}`) }) }),
          h("button", { type: "button", class: "btn primary", text: t("mentor.accept"), onclick: act(() => api(`/api/v1/mentorship/inbox/${r.id}/accept`, { method: "POST" })) }), " ",
          h("button", { type: "button", class: "link", text: t("mentor.decline"), onclick: act(() => api(`/api/v1/mentorship/inbox/${r.id}/decline`, { method: "POST" })) })));
      }
    }

    // Talk-now helpers: specialists and volunteering mentors. The panel keeps itself up to date.
    if (getState().user?.role === "specialist" || (p && p.volunteering)) {
      helpers = helpers || helperPanel();
      await helpers.ready;
      body.append(helpers.panel);
    }
  }

  let helpers = null;
  const offs = ["mentor_request", "mentor_request_updated", "mentorship_started", "mentorship_ended"]
    .map((type) => live.on(type, (frame) => {
      // Only the other side's frame carries a note: they closed it, and we say so kindly.
      if (type === "mentorship_ended" && frame.note) status.textContent = t("mentor.closedBy", { name: frame.mentorship.with.pseudonym });
      load().catch(() => null);
    }));
  await load();
  return () => {
    for (const off of offs) off();
    if (helpers) helpers.stop();
  };
}
