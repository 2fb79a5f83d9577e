// Private conversations: the list (with unread counts and the talk-now button)
// and one conversation. A conversation is a room to the server, so the chat
// itself is the room view; this module adds the person, typing, read markers.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { renderRoom } from "./room.js";
import { reportButton } from "./moderation-member.js";

const TYPING_SHOWN_MS = 4000;

function purposeLabel(purpose) {
  return purpose === "direct" ? null : t(`dm.purpose.${purpose}`);
}

export async function renderConversations(main) {
  const list = h("ul", { class: "room-list" });
  const openForm = h("form", { class: "inline-form" },
    h("label", { for: "dm-with", text: t("dm.openLabel") }),
    h("input", { id: "dm-with", name: "pseudonym", autocomplete: "off", required: true, maxlength: 64 }),
    h("button", { type: "submit", class: "btn", text: t("dm.openButton") }));
  const openError = h("p", { class: "form-error", role: "alert", hidden: true });
  const talk = h("div", { class: "card talk-now" });

  clear(main).append(h("section", { class: "page" },
    h("h1", { text: t("dm.title") }),
    h("p", { class: "muted", text: t("dm.privacy") }),
    talk,
    openForm, openError,
    list,
    h("p", {}, h("a", { href: "#/settings/messaging", text: t("dm.settingsLink") }), " · ",
      h("a", { href: "#/mentorship", text: t("dm.mentorLink") }))));

  // Each conversation keeps its own link element across reloads: a list rebuilt
  // between a finger's press and release would swallow the tap.
  const rows = new Map();
  async function load() {
    const { conversations } = await api("/api/v1/conversations");
    const wanted = [];
    for (const c of conversations) {
      const badge = c.unread ? h("span", { class: "badge", text: t("dm.unread", { count: c.unread }) }) : null;
      const label = purposeLabel(c.purpose);
      let row = rows.get(c.id);
      if (!row) {
        row = h("li", {}, h("a", { class: "room-link", href: `#/conversations/${c.id}` }));
        rows.set(c.id, row);
      }
      row.firstElementChild.replaceChildren(
        h("span", { class: "room-name", text: c.with.pseudonym }, badge),
        ...(label ? [h("span", { class: "room-desc", text: label })] : []));
      wanted.push(row);
    }
    if (!conversations.length) wanted.push(h("li", { class: "muted", text: t("dm.empty") }));
    const shown = [...list.children];
    if (shown.length !== wanted.length || shown.some((row, index) => row !== wanted[index])) list.replaceChildren(...wanted);
  }

  openForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    openError.hidden = true;
    try {
      const { conversation } = await api("/api/v1/conversations", { method: "POST", body: { pseudonym: openForm.pseudonym.value } });
      location.replace(`#/conversations/${conversation.id}`);
    } catch (error) {
      openError.textContent = error.detail || t("error.generic");
      openError.hidden = false;
    }
  });

  const stopTalk = renderTalkNow(talk);
  const offs = ["conversation_activity", "conversation_opened", "conversation_read"].map((type) => live.on(type, () => load()));
  await load();
  return () => {
    stopTalk();
    for (const off of offs) off();
  };
}

// The server's estimate is recent waits scaled by place and free helpers, or none when it can't honestly say.
function waitText(request) {
  const seconds = request.estimate_seconds;
  if (seconds === null || seconds === undefined) return request.helpers_free ? t("talk.freeNow", { count: request.helpers_free }) : t("talk.noEstimate");
  return seconds < 60 ? t("talk.estimateSoon") : t("talk.estimate", { minutes: Math.round(seconds / 60) });
}

// "Talk to someone now": place in the queue, an honest estimate, and other help if nobody comes.
function renderTalkNow(box) {
  let timer = null;
  const show = (request) => {
    clearTimeout(timer);
    clear(box).append(h("h2", { text: t("talk.title") }));
    if (!request || !["waiting", "taken"].includes(request.status)) {
      box.append(h("p", { class: "muted", text: t("talk.intro") }),
        h("button", { type: "button", class: "btn primary", text: t("talk.ask"), onclick: ask }));
      return;
    }
    if (request.status === "taken") {
      box.append(h("p", { text: t("talk.taken", { helper: request.helper ? request.helper.pseudonym : "" }) }),
        h("a", { class: "btn primary", href: `#/conversations/${request.conversation_id}`, text: t("talk.open") }),
        h("button", { type: "button", class: "link", text: t("talk.end"), onclick: () => end(request.id) }));
      return;
    }
    box.append(h("p", { role: "status", text: t("talk.position", { position: request.position }) }),
      h("p", { class: "muted", text: waitText(request) }));
    if (request.alternatives) {
      const alt = request.alternatives;
      box.append(h("div", { class: "notice" },
        h("p", { text: alt.message }),
        h("button", { type: "button", class: "btn", text: t("safety.helpNow"), onclick: () => document.getElementById("help-now").click() }),
        alt.room ? h("a", { class: "btn", href: `#/rooms/${alt.room.id}`, text: t("talk.room", { room: alt.room.name }) }) : null,
        alt.forum ? h("a", { class: "btn", href: "#/forum", text: t("talk.forum") }) : null,
        h("p", { class: "muted", text: t("talk.stay") })));
    } else {
      // Ask again when the wait passes, to offer other help honestly.
      const wait = new Date(request.offer_alternatives_at) - Date.now();
      timer = setTimeout(refresh, Math.max(1000, wait + 500));
    }
    box.append(h("button", { type: "button", class: "link", text: t("talk.leave"), onclick: leave }));
  };
  async function refresh() {
    const { request } = await api("/api/v1/talk-now");
    show(request);
  }
  async function ask() {
    const { request } = await api("/api/v1/talk-now", { method: "POST" });
    show(request);
  }
  async function leave() {
    await api("/api/v1/talk-now", { method: "DELETE" }).catch(() => null);
    refresh();
  }
  async function end(id) {
    await api(`/api/v1/talk-now/${id}/end`, { method: "POST" }).catch(() => null);
    refresh();
  }
  const offs = [
    live.on("talk_now_position", refresh),
    live.on("talk_now_ended", refresh),
    live.on("talk_now_taken", (frame) => {
      announce(t("talk.takenAnnounce"));
      show(frame.request);
    }),
  ];
  refresh().catch(() => show(null));
  return () => {
    clearTimeout(timer);
    for (const off of offs) off();
  };
}

export async function renderConversation(main, roomId) {
  const { conversation } = await api(`/api/v1/conversations/${roomId}`);
  const leaveRoom = renderRoom(main, roomId);
  // The room view's frame, made personal: who this is with, and no room guidelines.
  const back = main.querySelector(".room-head .back");
  back.setAttribute("href", "#/conversations");
  back.textContent = `← ${t("dm.back")}`;
  main.querySelector(".room-head .rules").hidden = true;
  const title = main.querySelector("#room-title");
  const typing = h("p", { class: "muted typing", "aria-live": "polite" });
  const readNote = h("p", { class: "muted read-note" });
  const label = purposeLabel(conversation.purpose);
  main.querySelector(".room-head").append(...[
    label ? h("p", { class: "notice", text: label }) : null,
    h("p", { class: "muted", text: t("dm.privateNote") }),
    h("button", { type: "button", class: "link", text: t("dm.block", { name: conversation.with.pseudonym }), onclick: block }),
    reportButton("member", conversation.with.id),
  ].filter(Boolean));
  main.querySelector(".composer").before(typing, readNote);
  const setTitle = () => { title.textContent = t("dm.with", { name: conversation.with.pseudonym }); };
  setTitle();

  let typingTimer = null;
  let lastTyping = 0;
  let highest = conversation.last_read_seq;
  const markRead = (seq) => {
    if (seq <= highest || document.hidden) return;
    highest = seq;
    api(`/api/v1/conversations/${roomId}/read`, { method: "POST", body: { seq } }).catch(() => null);
  };
  const showRead = (seq) => {
    if (seq !== null && seq !== undefined) readNote.textContent = t("dm.readUpTo", { name: conversation.with.pseudonym });
  };
  showRead(conversation.other_last_read_seq);

  async function block() {
    if (!window.confirm(t("dm.confirmBlock", { name: conversation.with.pseudonym }))) return;
    await api("/api/v1/blocks", { method: "POST", body: { pseudonym: conversation.with.pseudonym } });
    location.replace("#/conversations");
  }

  const input = main.querySelector("#compose");
  const onInput = () => {
    if (Date.now() - lastTyping < 2000) return;
    lastTyping = Date.now();
    live.raw({ type: "typing", room_id: roomId });
  };
  input.addEventListener("input", onInput);

  const offs = [
    live.on("joined", (frame) => { if (frame.room.id === roomId) { setTitle(); markRead(frame.room.last_seq); } }),
    live.on("message", (frame) => {
      if (frame.room_id !== roomId) return;
      typing.textContent = "";
      markRead(frame.seq);
    }),
    live.on("typing", (frame) => {
      if (frame.room_id !== roomId) return;
      typing.textContent = t("dm.typing", { name: frame.user.pseudonym });
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typing.textContent = ""; }, TYPING_SHOWN_MS);
    }),
    live.on("read", (frame) => { if (frame.room_id === roomId) showRead(frame.seq); }),
  ];
  return () => {
    clearTimeout(typingTimer);
    input.removeEventListener("input", onInput);
    for (const off of offs) off();
    leaveRoom();
  };
}
