// Meetings: the weekly list in the member's own time, "remind me", .ics
// links, and meeting mode (open/close, raised hands in order, the floor).
// Also the gentle live notices of the recovery tools (reminders, partner
// requests, early-warning notices), shown as a dismissable toast.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";

const seenReminders = new Set(); // one toast per occurrence, however many channels bring it

function toast(text, href, linkText) {
  const box = h("div", { class: "toast", role: "status" }, h("p", { text }),
    href ? h("a", { href, text: linkText }) : null,
    h("button", { type: "button", class: "link", text: t("help.close"), onclick: () => box.remove() }));
  document.body.append(box);
  announce(text);
}

live.on("meeting_reminder", (frame) => {
  const key = `${frame.meeting.id}@${frame.starts_at}`;
  if (seenReminders.has(key)) return;
  seenReminders.add(key);
  toast(t("meetings.reminder", { title: frame.meeting.title, minutes: frame.minutes }), `#/meetings/${frame.meeting.id}`, t("meetings.open"));
});
live.on("partner_request", (frame) => {
  toast(t("partners.request", { name: frame.partnership.partner.pseudonym }), "#/recovery", t("nav.recovery"));
});
live.on("recovery_notice", (frame) => {
  toast(t("notice.received", { name: frame.notice.about ? frame.notice.about.pseudonym : "" }), "#/recovery", t("nav.recovery"));
});

function when(meeting) {
  const day = t("weekday")[meeting.local.day];
  return t("meetings.when", { day, time: meeting.local.time });
}

// Meeting Guide type codes (O, D, ST…) in words; a code the catalogue doesn't know is shown as it is.
function format(meeting) {
  if (!meeting.types.length) return null;
  const names = meeting.types.map((code) => {
    const key = `meetingType.${code}`;
    const name = t(`meetingType.${code}`);
    return name === key ? code : name;
  });
  return h("p", { class: "meeting-format", text: t("meetings.format", { types: names.join(", ") }) });
}

export async function renderMeetings(main) {
  const list = h("ul", { class: "meeting-list" });
  const intro = h("p", { class: "muted" });
  clear(main).append(h("section", { class: "page" }, h("h1", { text: t("meetings.title") }), intro,
    h("p", {}, h("a", { href: "/api/v1/meetings.ics", download: "hearth-meetings.ics", text: t("meetings.allCalendar") })), list));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const { meetings } = await api(`/api/v1/meetings?tz=${encodeURIComponent(zone)}`);
  intro.textContent = t("meetings.intro", { zone });
  if (!meetings.length) list.append(h("li", { class: "muted", text: t("meetings.empty") }));
  for (const m of meetings) {
    const remind = h("input", { type: "checkbox", checked: m.remind_me, onchange: () =>
      api(`/api/v1/meetings/${m.id}/reminder`, { method: "PUT", body: { on: remind.checked } }) });
    list.append(h("li", { class: "card meeting" },
      h("h2", {}, h("a", { href: `#/meetings/${m.id}`, text: m.title })),
      m.open ? h("p", { class: "live-badge", text: t("meetings.running") }) : null,
      h("p", { text: `${when(m)} · ${m.room_name}` }),
      format(m),
      h("p", { class: "muted", text: t("meetings.next", { date: new Date(m.next_start).toLocaleString() }) }),
      m.host ? h("p", { class: "muted", text: t("meetings.host", { name: m.host.pseudonym }) }) : null,
      m.notes ? h("p", { text: m.notes }) : null,
      h("label", { class: "check" }, remind, t("meetings.remind")),
      h("a", { href: `/api/v1/meetings/${m.id}.ics`, download: `meeting-${m.id}.ics`, text: t("meetings.calendar") })));
  }
}

export async function renderMeeting(main, meetingId) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const { meeting, state: first } = await api(`/api/v1/meetings/${meetingId}?tz=${encodeURIComponent(zone)}`);
  const me = getState().user;
  const isHost = (meeting.host && meeting.host.id === me.id) || ["moderator", "admin"].includes(me.role);
  const panel = h("div", { class: "meeting-mode", "aria-live": "polite" });
  const err = h("p", { class: "form-error", role: "alert", hidden: true });
  clear(main).append(h("section", { class: "page" },
    h("a", { href: "#/meetings", class: "back", text: `← ${t("meeting.back")}` }),
    h("h1", { text: meeting.title }),
    h("p", { text: `${when(meeting)} (${zone}) · ${meeting.room_name}` }),
    format(meeting),
    h("p", {}, h("a", { href: `#/rooms/${meeting.room_id}`, text: t("meeting.chat") })), err, panel));

  let state = first;
  async function act(frame) {
    err.hidden = true;
    try {
      const reply = await live.request({ ...frame, meeting_id: meetingId });
      if (reply.type === "error") {
        err.textContent = reply.detail;
        err.hidden = false;
      } else if (reply.state) show(reply.state);
    } catch {
      err.textContent = t("error.network");
      err.hidden = false;
    }
  }

  function show(next) {
    if (next.version < state.version) return; // an older event arrived late
    state = next;
    const mine = state.hands.some((hand) => hand.user.id === me.id);
    clear(panel);
    if (!state.open) {
      panel.append(h("p", { text: t("meeting.closed") }));
      if (isHost) {
        const quiet = h("input", { type: "checkbox" });
        panel.append(h("label", { class: "check" }, quiet, t("meeting.quiet")),
          h("button", { type: "button", class: "btn primary", text: t("meeting.openIt"), onclick: () => act({ type: "meeting_open", quiet: quiet.checked }) }));
      }
      return;
    }
    panel.append(h("p", { class: "live-badge", text: t("meetings.running") }),
      h("p", { class: "speaker", text: state.speaker ? t("meeting.speaker", { name: state.speaker.pseudonym }) : t("meeting.nobody") }));
    if (state.speaker && state.speaker.id === me.id) {
      panel.append(h("p", { class: "notice", text: t("meeting.yourTurn") }),
        h("button", { type: "button", class: "btn", text: t("meeting.endFloor"), onclick: () => act({ type: "floor_end" }) }));
    } else if (mine) {
      panel.append(h("button", { type: "button", class: "btn", text: t("meeting.lower"), onclick: () => act({ type: "hand_lower" }) }));
    } else {
      panel.append(h("button", { type: "button", class: "btn primary", text: t("meeting.raise"), onclick: () => act({ type: "hand_raise" }) }));
    }
    const hands = h("ol", { class: "hands", "aria-label": t("meeting.hands") });
    for (const hand of state.hands) {
      hands.append(h("li", {}, hand.user.pseudonym, isHost
        ? h("button", { type: "button", class: "link", text: t("meeting.give"), onclick: () => act({ type: "floor_give", user_id: hand.user.id }) })
        : null));
    }
    panel.append(h("h2", { text: t("meeting.hands") }), state.hands.length ? hands : h("p", { class: "muted", text: t("meeting.noHands") }));
    if (isHost) {
      panel.append(h("div", { class: "row" },
        h("button", { type: "button", class: "btn", disabled: !state.hands.length, text: t("meeting.giveNext"), onclick: () => act({ type: "floor_give" }) }),
        state.speaker ? h("button", { type: "button", class: "btn", text: t("meeting.takeBack"), onclick: () => act({ type: "floor_end" }) }) : null,
        h("button", { type: "button", class: "btn danger", text: t("meeting.closeIt"), onclick: () => act({ type: "meeting_close" }) })));
    }
  }

  show(state);
  const off = live.on("meeting_state", (frame) => {
    if (frame.meeting_id === meetingId) show(frame.state);
  });
  // State events travel on the room's channel: follow the room while this view is open.
  live.join(meeting.room_id);
  return () => {
    off();
    live.leave(meeting.room_id);
  };
}
