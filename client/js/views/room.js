// A room: history over REST, live changes over the socket, upserted by id and
// shown in seq order. Member text is only ever set with textContent.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";
import { openHelp } from "../safety.js";
import { announcesNames } from "./settings.js";
import { reportButton } from "./moderation-member.js";

const PAGE = 50;
// Words, not emoji: clear in every font and to every screen reader.
const REACTIONS = ["support", "relate", "proud", "hug"];
const STAFF_ROLES = ["specialist", "moderator", "admin"];

export function renderRoom(main, roomId) {
  const messages = new Map();      // id -> message
  const pendingNodes = new Map();  // client_id -> element
  let oldestId = null;
  let room = null;

  const title = h("h1", { id: "room-title", text: "…" });
  const rules = h("details", { class: "rules" }, h("summary", { text: t("room.rules") }), h("p", { class: "rules-text" }));
  const older = h("button", { type: "button", class: "link load-older", text: t("room.loadOlder"), onclick: loadOlder });
  const list = h("ol", { class: "messages", "aria-labelledby": "room-title" });
  const input = h("textarea", { id: "compose", name: "body", rows: 2, maxlength: 4000, required: true, "aria-label": t("room.compose"), placeholder: t("room.compose") });
  const form = h("form", { class: "composer" }, input, h("button", { type: "submit", class: "btn primary", text: t("room.send") }));
  const archivedNote = h("p", { class: "notice", hidden: true, text: t("room.archived") });
  const replyBar = h("div", { class: "reply-bar", hidden: true });
  let replyTo = null;
  const unattendedNote = h("div", { class: "notice", hidden: !getState().unattended },
    h("p", { text: t("room.unattended") }), h("button", { type: "button", class: "link", text: t("safety.helpNow"), onclick: openHelp }));

  clear(main).append(h("section", { class: "room", "aria-labelledby": "room-title" },
    h("div", { class: "room-head" }, h("a", { href: "#/rooms", class: "back", text: `← ${t("room.back")}` }), title, rules),
    unattendedNote, older, list, archivedNote, replyBar, form));

  function authorLabel(message) {
    if (!message.author) return t("room.formerMember");
    return message.author.id === getState().user?.id ? `${message.author.pseudonym} (${t("room.you")})` : message.author.pseudonym;
  }

  // Day-count badges the authors chose to share, asked for once per author per visit
  // (the server answers only for people who share a room with us).
  const badges = new Map(); // user id -> [{label, days}], or null while being asked for
  let badgeTimer = null;

  function badgeText(badge) {
    const form = badge.days === 0 ? "zero" : badge.days === 1 ? "one" : "other";
    return t(`room.dayBadge.${form}`, { label: badge.label, days: badge.days });
  }

  function badgeNodes(userId) {
    return (badges.get(userId) || []).map((badge) => h("span", { class: "day-badge", text: badgeText(badge) }));
  }

  function wantBadges(author) {
    if (!author || badges.has(author.id)) return;
    badges.set(author.id, null);
    clearTimeout(badgeTimer);
    badgeTimer = setTimeout(fetchBadges, 50); // one request for a whole page of authors
  }

  async function fetchBadges() {
    const ids = [...badges].filter(([, known]) => known === null).map(([id]) => id);
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      let found = {};
      try {
        found = (await api(`/api/v1/recovery/badges?users=${chunk.join(",")}`)).badges;
      } catch {
        // Badges are a nicety: without them the room still works.
      }
      for (const id of chunk) {
        badges.set(id, found[String(id)] || []);
        // Add them in place: re-drawing the message would close an edit in progress.
        for (const author of list.querySelectorAll(`li[data-author="${id}"] .meta .author`)) {
          if (!author.parentNode.querySelector(".day-badge")) author.after(...badgeNodes(id));
        }
      }
    }
  }

  function renderMessage(message) {
    const mine = message.author && message.author.id === getState().user?.id;
    wantBadges(message.author);
    const body = message.deleted
      ? h("p", { class: "body removed", text: t("room.removed") })
      : message.body === null
        ? h("p", { class: "body removed", text: t("room.hidden") })
        : h("p", { class: "body", text: message.body });
    const note = message.hidden && message.body !== null ? h("p", { class: "muted", text: t("room.hiddenFromOthers") })
      : message.held ? h("p", { class: "muted", text: t("room.held") }) : null;
    const meta = h("div", { class: "meta" },
      h("span", { class: "author", text: authorLabel(message) }),
      ...(message.author ? badgeNodes(message.author.id) : []),
      h("time", { datetime: message.created_at, text: new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
      message.edited_at && !message.deleted ? h("span", { class: "edited", text: t("room.edited") }) : null);
    const quoted = message.reply_to ? messages.get(message.reply_to) : null;
    const replyLine = message.reply_to ? h("p", { class: "in-reply muted", text: quoted
      ? t("room.inReplyTo", { author: authorLabel(quoted), excerpt: (quoted.body || "").slice(0, 80) })
      : t("room.replyingTo", { author: "…" }) }) : null;
    const reactions = message.deleted || message.held ? null : h("div", { class: "reactions", role: "group", "aria-label": t("room.reactions") },
      REACTIONS.map((kind) => {
        const state = message.reactions || { counts: {}, mine: [] };
        const count = state.counts[kind] || 0;
        const pressed = (state.mine || []).includes(kind);
        return h("button", { type: "button", class: `reaction${pressed ? " on" : ""}`, "aria-pressed": pressed ? "true" : "false",
          "aria-label": `${t(`room.react.${kind}`)} ${count}`,
          onclick: () => toggleReaction(message, kind, !pressed) }, t(`room.react.${kind}`), count ? h("span", { class: "count", text: String(count) }) : null);
      }));
    const actions = !message.deleted ? h("div", { class: "actions" },
      h("button", { type: "button", class: "link", text: t("room.reply"), onclick: () => startReply(message) }),
      mine ? h("button", { type: "button", class: "link", text: t("room.edit"), onclick: () => startEdit(message) }) : null,
      mine ? h("button", { type: "button", class: "link", text: t("room.delete"), onclick: () => remove(message) }) : null,
      !mine && message.author && message.body !== null ? reportButton("message", message.id) : null) : null;
    const me = getState().user?.pseudonym;
    const mentionsMe = me && message.body && message.body.toLowerCase().includes(`@${me.toLowerCase()}`);
    const dataset = { id: String(message.id), seq: String(message.seq), ...(message.author ? { author: String(message.author.id) } : {}) };
    return h("li", { class: `message${mine ? " mine" : ""}${mentionsMe ? " mentions-me" : ""}`, dataset },
      replyLine, meta, body, note, reactions, actions);
  }

  function upsert(message, { announceIt = false } = {}) {
    const known = messages.get(message.id);
    if (!message.reactions && known?.reactions) message = { ...message, reactions: known.reactions };
    // Room events never carry hidden words; the author keeps the copy they already have.
    if (message.hidden && message.body === null && known && known.body !== null && known.author?.id === getState().user?.id) {
      message = { ...message, body: known.body };
    }
    messages.set(message.id, message);
    const existing = list.querySelector(`li[data-id="${message.id}"]`);
    // Hidden by a moderator: it disappears from everyone else's screen.
    if (message.hidden && message.body === null && !STAFF_ROLES.includes(getState().user?.role)) {
      if (existing) existing.remove();
      return;
    }
    const node = renderMessage(message);
    if (existing) {
      existing.replaceWith(node);
    } else {
      const pending = pendingNodes.get(message.client_id);
      if (pending) {
        pending.remove();
        pendingNodes.delete(message.client_id);
      }
      // Keep seq order: walk back from the end (new messages almost always go last).
      let after = list.lastElementChild;
      while (after && after.dataset.seq && Number(after.dataset.seq) > message.seq) after = after.previousElementSibling;
      if (after) after.after(node); else list.prepend(node);
      if (announceIt && !(message.author && message.author.id === getState().user?.id)) {
        // Discreet by default: names are announced only if the member chose so.
        announce(announcesNames() ? t("room.newMessage", { author: authorLabel(message) }) : t("room.newMessageDiscreet"));
      }
    }
    if (oldestId === null || message.id < oldestId) oldestId = message.id;
  }

  async function loadOlder() {
    const query = oldestId ? `?limit=${PAGE}&before=${oldestId}` : `?limit=${PAGE}`;
    const { messages: page } = await api(`/api/v1/rooms/${roomId}/messages${query}`);
    for (const message of page) upsert(message);
    if (page.length < PAGE) {
      older.replaceWith(h("p", { class: "muted start", text: t("room.noMore") }));
    }
  }

  async function toggleReaction(message, kind, on) {
    const reply = await live.request({ type: "react", message_id: message.id, kind, on });
    if (reply.type === "reacted") upsert({ ...messages.get(message.id), reactions: { counts: reply.counts, mine: reply.mine } });
  }

  function startReply(message) {
    replyTo = message.id;
    replyBar.replaceChildren(h("span", { text: t("room.replyingTo", { author: authorLabel(message) }) }),
      h("button", { type: "button", class: "link", text: t("room.cancelReply"), onclick: () => { replyTo = null; replyBar.hidden = true; } }));
    replyBar.hidden = false;
    input.focus();
  }

  let readTimer = null;
  function markRead(seq) {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => live.raw({ type: "read", room_id: roomId, seq }), 1000);
  }

  function startEdit(message) {
    const node = list.querySelector(`li[data-id="${message.id}"]`);
    const editor = h("textarea", { rows: 2, maxlength: 4000, "aria-label": t("room.edit") });
    editor.value = message.body;
    const save = h("button", { type: "button", class: "btn", text: t("room.save"), onclick: async () => {
      const reply = await live.request({ type: "edit", message_id: message.id, body: editor.value });
      if (reply.type === "edited") upsert(reply.message);
    } });
    const cancel = h("button", { type: "button", class: "link", text: t("room.cancel"), onclick: () => upsert(message) });
    node.replaceChildren(editor, save, cancel);
    editor.focus();
  }

  async function remove(message) {
    if (!window.confirm(t("room.confirmDelete"))) return;
    const reply = await live.request({ type: "delete", message_id: message.id });
    if (reply.type === "deleted") upsert(reply.message);
  }

  const offs = [
    live.on("joined", (frame) => {
      if (frame.room.id !== roomId) return;
      room = frame.room;
      title.textContent = room.name;
      rules.querySelector(".rules-text").textContent = room.rules;
      archivedNote.hidden = !room.archived;
      unattendedNote.hidden = !frame.unattended;
      form.hidden = room.archived;
      if (oldestId === null) loadOlder().then(() => markRead(room.last_seq));
    }),
    ...["message", "message_edited", "message_deleted", "message_hidden"].map((type) => live.on(type, (frame) => {
      if (frame.room_id !== roomId) return;
      upsert(frame.message, { announceIt: type === "message" && !frame.replay });
      if (document.visibilityState === "visible") markRead(frame.seq);
    })),
    live.on("reactions", (frame) => {
      const known = messages.get(frame.message_id);
      if (frame.room_id === roomId && known) upsert({ ...known, reactions: { counts: frame.counts, mine: known.reactions?.mine || [] } });
    }),
    live.on("room_mode", (frame) => { unattendedNote.hidden = !frame.unattended; }),
    live.on("resync_required", (frame) => {
      if (frame.room_id !== roomId) return;
      clear(list);
      messages.clear();
      oldestId = null;
      loadOlder();
    }),
    live.on("ack", (frame) => {
      if (frame.message.room_id === roomId) upsert(frame.message);
    }),
  ];

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const clientId = live.send(roomId, body, replyTo);
    replyTo = null;
    replyBar.hidden = true;
    const pending = h("li", { class: "message mine pending", dataset: { clientId } },
      h("div", { class: "meta" }, h("span", { class: "author", text: t("room.pending") })),
      h("p", { class: "body", text: body }));
    pendingNodes.set(clientId, pending);
    list.append(pending);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  live.join(roomId);
  return () => {
    for (const off of offs) off();
    live.leave(roomId);
  };
}
